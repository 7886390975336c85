#include "tools/replicate-sim/webhook_sender.hpp"

#include "logging/log.hpp"
#include "model/standard_webhooks.hpp"
#include "tools/replicate-sim/sim_time.hpp"

#include <curl/curl.h>

#include <algorithm>

namespace jobsync::sim {

namespace {

constexpr size_t recent_limit = 1000;

size_t discard_body(char*, size_t size, size_t n, void*) {
  return size * n;
}

CURLM* multi_of(void* p) {
  return static_cast<CURLM*>(p);
}

} // namespace

struct webhook_sender::transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string job_id;
  // libcurl reads the body from here while the transfer runs.
  std::string body;
  std::string url;
  std::string msg_id;
  std::string event;
  int attempt = 0;
  char error[CURL_ERROR_SIZE] = {};

  ~transfer() {
    if (easy != nullptr)
      curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
};

webhook_sender::webhook_sender(std::string key, webhook_policy policy)
    : key_(std::move(key)), policy_(policy) {
  multi_ = curl_multi_init();
}

webhook_sender::~webhook_sender() {
  stop();
  for (auto& [handle, t] : in_flight_)
    curl_multi_remove_handle(multi_of(multi_), t->easy);
  in_flight_.clear();
  curl_multi_cleanup(multi_of(multi_));
}

void webhook_sender::start() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (running_)
    return;
  running_ = true;
  thread_ = std::thread{[this] { run(); }};
}

void webhook_sender::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!running_)
      return;
    running_ = false;
  }
  curl_multi_wakeup(multi_of(multi_));
  if (thread_.joinable())
    thread_.join();
}

namespace {

// A drop rule for every event of a job.
const std::string any_event = "*";

} // namespace

void webhook_sender::drop(const std::string& job_id, const std::string& event,
                          int count) {
  std::lock_guard<std::mutex> guard{mtx_};
  drops_[{job_id, event}] += count;
}

size_t webhook_sender::clear_drops() {
  std::lock_guard<std::mutex> guard{mtx_};
  auto n = drops_.size();
  drops_.clear();
  return n;
}

void webhook_sender::enqueue(webhook_message message) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    const std::string* events[] = {&message.event, &any_event};
    for (const std::string* event : events) {
      auto rule = drops_.find({message.job_id, *event});
      if (rule == drops_.end())
        continue;
      if (--rule->second == 0)
        drops_.erase(rule);
      ++counters_.dropped;
      return;
    }
    auto& q = queues_[message.job_id];
    ++pending_;
    bool was_idle = q.empty();
    auto job_id = message.job_id;
    q.push_back({std::move(message), 0});
    if (was_idle)
      schedule(job_id, clock::now());
  }
  curl_multi_wakeup(multi_of(multi_));
}

void webhook_sender::schedule(const std::string& job_id,
                              clock::time_point due) {
  schedule_.emplace(due, job_id);
}

webhook_counters webhook_sender::counters() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return counters_;
}

void webhook_sender::reset_counters() {
  std::lock_guard<std::mutex> guard{mtx_};
  counters_ = {};
}

std::vector<webhook_attempt> webhook_sender::recent() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return {recent_.begin(), recent_.end()};
}

size_t webhook_sender::pending() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return pending_;
}

void webhook_sender::launch_due(clock::time_point now) {
  std::lock_guard<std::mutex> guard{mtx_};
  while (!schedule_.empty() && in_flight_.size() < policy_.concurrency
         && schedule_.begin()->first <= now) {
    auto job_id = schedule_.begin()->second;
    schedule_.erase(schedule_.begin());
    auto q = queues_.find(job_id);
    if (q == queues_.end() || q->second.empty())
      continue;
    auto& head = q->second.front();
    ++head.attempts;
    auto t = std::make_unique<transfer>();
    t->job_id = job_id;
    t->body = head.message.body;
    t->url = head.message.url;
    t->msg_id = head.message.msg_id;
    t->event = head.message.event;
    t->attempt = head.attempts;
    // The timestamp is per attempt and the signature covers it, so every
    // retry is signed again with the same message id.
    auto ts = wall_now() / ns_per_second;
    auto sig = sign_webhook(key_, t->msg_id, ts, t->body);
    t->headers
        = curl_slist_append(t->headers, "Content-Type: application/json");
    t->headers
        = curl_slist_append(t->headers, ("webhook-id: " + t->msg_id).c_str());
    t->headers = curl_slist_append(
        t->headers, ("webhook-timestamp: " + std::to_string(ts)).c_str());
    t->headers
        = curl_slist_append(t->headers, ("webhook-signature: " + sig).c_str());
    // Without this, curl waits up to a second for "100 Continue" on
    // bodies over 1 KiB.
    t->headers = curl_slist_append(t->headers, "Expect:");
    t->headers = curl_slist_append(t->headers, "User-Agent: replicate-sim");
    t->easy = curl_easy_init();
    auto* e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(t->body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(policy_.timeout_ms));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(policy_.timeout_ms));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(t.get()));
    ++counters_.sent;
    if (t->attempt > 1)
      ++counters_.retried;
    curl_multi_add_handle(multi_of(multi_), e);
    in_flight_.emplace(static_cast<void*>(e), std::move(t));
  }
}

void webhook_sender::finish(void* handle, long status,
                            const std::string& error) {
  auto it = in_flight_.find(handle);
  if (it == in_flight_.end())
    return;
  auto t = std::move(it->second);
  in_flight_.erase(it);
  curl_multi_remove_handle(multi_of(multi_), t->easy);
  bool ok = status >= 200 && status < 300;
  std::lock_guard<std::mutex> guard{mtx_};
  if (ok)
    ++counters_.succeeded;
  else
    ++counters_.failed;
  recent_.push_back({t->msg_id, t->job_id, t->event, t->url, t->attempt, status,
                     error, wall_now_ms()});
  if (recent_.size() > recent_limit)
    recent_.pop_front();
  if (!ok)
    log::debug("webhooks", "{} {} attempt {} for {} failed: {}", t->event,
               t->msg_id, t->attempt, t->job_id,
               status != 0 ? "HTTP " + std::to_string(status) : error);
  auto q = queues_.find(t->job_id);
  if (q == queues_.end() || q->second.empty())
    return;
  auto& head = q->second.front();
  if (!ok && head.message.retry && head.attempts <= policy_.max_retries) {
    auto delay = std::chrono::milliseconds{policy_.retry_initial_ms}
                 * (int64_t{1} << std::min(head.attempts - 1, 20));
    schedule(t->job_id, clock::now() + delay);
    return;
  }
  if (!ok && head.message.retry)
    log::warning("webhooks", "giving up on {} {} for {} after {} attempt(s)",
                 t->event, t->msg_id, t->job_id, head.attempts);
  q->second.pop_front();
  --pending_;
  if (q->second.empty())
    queues_.erase(q);
  else
    schedule(t->job_id, clock::now());
}

void webhook_sender::run() {
  auto* multi = multi_of(multi_);
  for (;;) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (!running_)
        return;
    }
    launch_due(clock::now());
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      long status = 0;
      std::string error;
      if (msg->data.result == CURLE_OK) {
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      } else {
        void* priv = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        auto* t = static_cast<transfer*>(priv);
        error = t != nullptr && t->error[0] != '\0'
                    ? std::string{t->error}
                    : curl_easy_strerror(msg->data.result);
      }
      finish(msg->easy_handle, status, error);
    }
    // Sleep until a socket is ready, a retry falls due or enqueue/stop
    // wakes us up.
    int timeout_ms = 1000;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (!schedule_.empty() && in_flight_.size() < policy_.concurrency) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
                        schedule_.begin()->first - clock::now())
                        .count();
        timeout_ms = static_cast<int>(std::clamp<int64_t>(wait, 0, 1000));
      }
    }
    if (timeout_ms > 0)
      curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
  }
}

} // namespace jobsync::sim
