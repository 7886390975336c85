#include "providers/http_client.hpp"

#include "logging/log.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <mutex>

namespace jobsync::providers {

namespace {

constexpr std::string_view component = "http_client";

void global_init() {
  // curl_global_init is not guaranteed to be thread-safe on every build.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

using steady = std::chrono::steady_clock;

// What libcurl's write and header callbacks fill in.
struct receiver {
  http_response* response = nullptr;
  size_t max_body = 0;
  bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<receiver*>(user);
  auto len = size * n;
  if (r->response->body.size() + len > r->max_body) {
    r->too_large = true;
    return 0; // anything but len aborts the transfer
  }
  r->response->body.append(data, len);
  return len;
}

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<receiver*>(user);
  auto len = size * n;
  std::string_view line{data, len};
  // A new status line starts a new header block (after `100 Continue`);
  // only the final response's headers count.
  if (line.substr(0, 5) == "HTTP/") {
    r->response->headers.clear();
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos)
    return len;
  std::string name{trim(line.substr(0, colon))};
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  r->response->headers[name] = std::string{trim(line.substr(colon + 1))};
  return len;
}

long clamp_ms(std::chrono::milliseconds x) {
  // libcurl reads 0 as "no timeout"; a deadline is never absent here.
  return static_cast<long>(std::max<int64_t>(1, x.count()));
}

} // namespace

std::string_view to_string(http_error_kind x) {
  switch (x) {
  case http_error_kind::none:
    return "none";
  case http_error_kind::timeout:
    return "timeout";
  case http_error_kind::connect_failed:
    return "connect_failed";
  case http_error_kind::other:
    break;
  }
  return "other";
}

struct http_client::transfer {
  http_request request;
  http_callback callback;
  http_response response;
  receiver recv;
  uint64_t seq = 0;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  bool added = false;
  char error_buffer[CURL_ERROR_SIZE] = {};

  ~transfer() {
    if (easy)
      curl_easy_cleanup(easy);
    if (headers)
      curl_slist_free_all(headers);
  }
};

http_client::http_client(http_client_config cfg) : cfg_(std::move(cfg)) {
  if (cfg_.max_concurrency == 0)
    cfg_.max_concurrency = 1;
  global_init();
  multi_ = curl_multi_init();
  if (!multi_) {
    log::error(component, "{}: curl_multi_init failed; every request fails",
               cfg_.name);
    stopping_ = true;
    return;
  }
  thread_ = std::thread([this] { run(); });
  worker_id_ = thread_.get_id();
}

http_client::~http_client() {
  stop();
  if (std::this_thread::get_id() == worker_id_) {
    // Destroyed from one of its own callbacks: the thread would run on
    // freed memory. Failing loudly beats undefined behaviour.
    log::error(component, "{}: destroyed from its own thread", cfg_.name);
    std::terminate();
  }
  if (multi_)
    curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void http_client::submit(http_request req, http_callback callback) {
  auto t = std::make_unique<transfer>();
  t->request = std::move(req);
  t->callback = std::move(callback);
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!stopping_) {
      t->seq = next_seq_++;
      queue_.push_back(std::move(t));
    }
  }
  if (!t) {
    curl_multi_wakeup(static_cast<CURLM*>(multi_));
    return;
  }
  t->response.error = http_error_kind::other;
  t->response.error_text = "the HTTP client is stopped";
  t->response.started = t->response.finished = steady::now();
  deliver(*t);
}

void http_client::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    stopping_ = true;
  }
  if (multi_)
    curl_multi_wakeup(static_cast<CURLM*>(multi_));
  // From a callback only the request is possible: the thread cannot join
  // itself, and it must not wait for another thread that is joining it.
  if (std::this_thread::get_id() == worker_id_)
    return;
  std::lock_guard<std::mutex> guard{join_mtx_};
  if (thread_.joinable())
    thread_.join();
}

size_t http_client::pending() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return queue_.size() + running_;
}

void http_client::run() {
  auto* multi = static_cast<CURLM*>(multi_);
  for (;;) {
    std::vector<std::unique_ptr<transfer>> starting;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (stopping_)
        break;
      while (!queue_.empty() && running_ < cfg_.max_concurrency) {
        starting.push_back(std::move(queue_.front()));
        queue_.pop_front();
        ++running_;
      }
    }
    for (auto& t : starting)
      start(std::move(t));
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    finish_done();
    bool can_start_more = false;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      can_start_more
          = !stopping_ && !queue_.empty() && running_ < cfg_.max_concurrency;
    }
    // curl_multi_poll also returns early for libcurl's own timers and for
    // curl_multi_wakeup from submit() and stop().
    if (!can_start_more)
      curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  fail_all();
}

void http_client::start(std::unique_ptr<transfer> t) {
  auto& req = t->request;
  t->response.started = steady::now();
  t->recv.response = &t->response;
  t->recv.max_body = cfg_.max_response_bytes;
  t->easy = curl_easy_init();
  if (!t->easy) {
    t->response.error = http_error_kind::other;
    t->response.error_text = "curl_easy_init failed";
    complete(std::move(t));
    return;
  }
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, clamp_ms(req.timeout));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, clamp_ms(req.connect_timeout));
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->recv);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->recv);
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  if (req.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(req.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
    if (req.method != "POST")
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    // Without this libcurl waits up to a second for `100 Continue` on
    // bodies over 1 KiB.
    t->headers = curl_slist_append(t->headers, "Expect:");
  }
  for (auto& [name, value] : req.headers)
    t->headers = curl_slist_append(t->headers, (name + ": " + value).c_str());
  if (t->headers)
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  if (curl_multi_add_handle(static_cast<CURLM*>(multi_), e) != CURLM_OK) {
    t->response.error = http_error_kind::other;
    t->response.error_text = "curl_multi_add_handle failed";
    complete(std::move(t));
    return;
  }
  t->added = true;
  active_.emplace(e, std::move(t));
}

void http_client::finish_done() {
  auto* multi = static_cast<CURLM*>(multi_);
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    // `msg` dies with curl_multi_remove_handle: copy what we need first.
    CURL* e = msg->easy_handle;
    CURLcode rc = msg->data.result;
    auto i = active_.find(e);
    if (i == active_.end())
      continue;
    auto t = std::move(i->second);
    active_.erase(i);
    auto& resp = t->response;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp.status);
    if (rc != CURLE_OK) {
      resp.error_text = t->error_buffer[0] != '\0' ? t->error_buffer
                                                   : curl_easy_strerror(rc);
      curl_off_t connect_us = 0;
      long new_connections = 0;
      curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
      curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &new_connections);
      // A fresh connection that never completed means the request was not
      // sent; a reused connection was connected all along.
      bool never_connected = new_connections > 0 && connect_us == 0;
      switch (rc) {
      case CURLE_OPERATION_TIMEDOUT:
        resp.error = never_connected ? http_error_kind::connect_failed
                                     : http_error_kind::timeout;
        break;
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
        resp.error = http_error_kind::connect_failed;
        break;
      default:
        resp.error = http_error_kind::other;
        if (t->recv.too_large)
          resp.error_text = "the response body is larger than "
                            + std::to_string(cfg_.max_response_bytes)
                            + " bytes";
      }
      log::debug(component, "{}: {} {} failed: {}", cfg_.name,
                 t->request.method, t->request.url, resp.error_text);
    }
    complete(std::move(t));
  }
}

void http_client::complete(std::unique_ptr<transfer> t) {
  if (t->easy) {
    if (t->added)
      curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
    curl_easy_cleanup(t->easy);
    t->easy = nullptr;
  }
  {
    std::lock_guard<std::mutex> guard{mtx_};
    --running_;
  }
  deliver(*t);
}

void http_client::deliver(transfer& t) {
  if (t.response.finished == steady::time_point{})
    t.response.finished = steady::now();
  try {
    t.callback(std::move(t.response));
  } catch (const std::exception& e) {
    log::error(component, "{}: a completion callback threw: {}", cfg_.name,
               e.what());
  } catch (...) {
    log::error(component, "{}: a completion callback threw", cfg_.name);
  }
}

void http_client::fail_all() {
  std::vector<std::unique_ptr<transfer>> failed;
  for (auto& entry : active_)
    failed.push_back(std::move(entry.second));
  active_.clear();
  {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& t : queue_)
      failed.push_back(std::move(t));
    queue_.clear();
    running_ = 0;
  }
  std::sort(failed.begin(), failed.end(),
            [](auto& a, auto& b) { return a->seq < b->seq; });
  for (auto& t : failed) {
    if (t->easy) {
      if (t->added)
        curl_multi_remove_handle(static_cast<CURLM*>(multi_), t->easy);
      curl_easy_cleanup(t->easy);
      t->easy = nullptr;
    }
    t->response = http_response{};
    t->response.error = http_error_kind::other;
    t->response.error_text = "the HTTP client stopped before the request "
                             "completed";
    deliver(*t);
  }
}

} // namespace jobsync::providers
