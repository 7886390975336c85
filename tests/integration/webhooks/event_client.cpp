#include "tests/integration/webhooks/event_client.hpp"

#include <curl/curl.h>
#include <rapidjson/document.h>

namespace jobsync::test {

event_client::event_client(std::string url) : url_(std::move(url)) {
  // On this thread, before the reader starts (reference counted).
  curl_global_init(CURL_GLOBAL_DEFAULT);
  thread_ = std::thread([this] {
    CURL* h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
    // The progress callback runs at least once a second even on an idle
    // stream, so the destructor's stop flag ends the transfer promptly.
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, this);
    curl_easy_perform(h);
    curl_easy_cleanup(h);
  });
}

event_client::~event_client() {
  stop_ = true;
  thread_.join();
  curl_global_cleanup();
}

size_t event_client::on_data(char* data, size_t size, size_t n, void* self) {
  auto* c = static_cast<event_client*>(self);
  {
    std::lock_guard<std::mutex> lock{c->mtx_};
    c->buffer_.append(data, size * n);
    c->parse();
  }
  c->cv_.notify_all();
  return size * n;
}

int event_client::on_progress(void* self, long long, long long, long long,
                              long long) {
  return static_cast<event_client*>(self)->stop_ ? 1 : 0;
}

void event_client::parse() {
  // Frames end with a blank line; the server writes "\n" line ends.
  for (auto end = buffer_.find("\n\n"); end != std::string::npos;
       end = buffer_.find("\n\n")) {
    auto frame = buffer_.substr(0, end + 1);
    buffer_.erase(0, end + 2);
    open_ = true;
    uint64_t id = 0;
    std::string data;
    for (size_t pos = 0; pos < frame.size();) {
      auto eol = frame.find('\n', pos);
      auto line = frame.substr(pos, eol - pos);
      pos = eol + 1;
      if (line.rfind("id: ", 0) == 0)
        id = std::stoull(line.substr(4));
      else if (line.rfind("data: ", 0) == 0)
        data += line.substr(6);
    }
    if (data.empty())
      continue;
    rapidjson::Document d;
    d.Parse(data.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("type")
        || std::string{d["type"].GetString()} != "job_status_changed")
      continue;
    received_event e;
    e.id = id;
    e.job_id = d["job_id"].GetString();
    e.status = d["status"].GetString();
    if (d["previous_status"].IsString())
      e.previous_status = d["previous_status"].GetString();
    events_.push_back(std::move(e));
  }
}

bool event_client::wait_open(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [this] { return open_; });
}

bool event_client::wait_for(std::function<bool(const received_event&)> pred,
                            std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] {
    for (const auto& e : events_)
      if (pred(e))
        return true;
    return false;
  });
}

std::vector<received_event> event_client::events() const {
  std::lock_guard<std::mutex> lock{mtx_};
  return events_;
}

std::vector<received_event>
event_client::events_of(const std::string& job_id) const {
  std::lock_guard<std::mutex> lock{mtx_};
  std::vector<received_event> out;
  for (const auto& e : events_)
    if (e.job_id == job_id)
      out.push_back(e);
  return out;
}

} // namespace jobsync::test
