#include "tools/jobsync-track/job_follower.hpp"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>

namespace jobsync::tools {

namespace {

// Reads an event stream as it arrives: `id:` and `data:` fields, a blank
// line dispatches, comments and other fields are skipped.
struct stream_reader {
  std::string pending;
  std::string data;
  bool has_data = false;
  bool connected = false;
  std::function<void(const std::string&)> on_data;
  std::function<void(const std::string&)> on_id;
  std::function<void()> on_connect;

  void feed(const char* bytes, size_t n) {
    if (!connected) {
      connected = true;
      on_connect();
    }
    pending.append(bytes, n);
    size_t start = 0;
    for (auto end = pending.find('\n', start); end != std::string::npos;
         end = pending.find('\n', start)) {
      auto line = pending.substr(start, end - start);
      if (!line.empty() && line.back() == '\r')
        line.pop_back();
      field(line);
      start = end + 1;
    }
    pending.erase(0, start);
  }

  void field(const std::string& line) {
    if (line.empty()) {
      if (has_data)
        on_data(data);
      data.clear();
      has_data = false;
      return;
    }
    auto colon = line.find(':');
    auto name = line.substr(0, colon);
    std::string value;
    if (colon != std::string::npos) {
      value = line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
    }
    if (name == "data") {
      if (has_data)
        data += '\n';
      data += value;
      has_data = true;
    } else if (name == "id") {
      on_id(value);
    }
  }
};

size_t on_bytes(char* data, size_t size, size_t n, void* reader) {
  static_cast<stream_reader*>(reader)->feed(data, size * n);
  return size * n;
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

int keep_going(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(stop)->load() ? 1 : 0;
}

using curl_ptr = std::unique_ptr<CURL, void (*)(CURL*)>;
using header_ptr = std::unique_ptr<curl_slist, void (*)(curl_slist*)>;

header_ptr auth_headers(const std::string& token) {
  curl_slist* h = nullptr;
  if (!token.empty())
    h = curl_slist_append(h, ("Authorization: Bearer " + token).c_str());
  return header_ptr{h, curl_slist_free_all};
}

} // namespace

job_follower::job_follower(follow_target target,
                           std::function<void()> on_cancelled)
    : target_(std::move(target)), on_cancelled_(std::move(on_cancelled)) {
  thread_ = std::thread{[this] { run(); }};
}

job_follower::~job_follower() {
  stop();
}

void job_follower::stop() {
  stop_ = true;
  if (thread_.joinable())
    thread_.join();
}

void job_follower::cancelled() {
  if (!fired_.exchange(true))
    on_cancelled_();
}

void job_follower::on_event(const std::string& data) {
  rapidjson::Document d;
  d.Parse(data.c_str(), data.size());
  if (d.HasParseError() || !d.IsObject())
    return;
  auto text = [&](const char* key) -> std::string {
    auto m = d.FindMember(key);
    return m != d.MemberEnd() && m->value.IsString() ? m->value.GetString()
                                                     : "";
  };
  auto type = text("type");
  if (type == "resync_required") {
    // Events were missed: ask for the job itself.
    check_job();
    return;
  }
  if (type == "job_status_changed" && text("job_id") == target_.job_id
      && text("status") == "cancelled")
    cancelled();
}

void job_follower::check_job() {
  curl_ptr curl{curl_easy_init(), curl_easy_cleanup};
  if (!curl)
    return;
  auto url = target_.base_url + "/api/cloud/jobs/";
  {
    char* escaped = curl_easy_escape(curl.get(), target_.job_id.c_str(),
                                     static_cast<int>(target_.job_id.size()));
    url += escaped;
    curl_free(escaped);
  }
  std::string body;
  auto headers = auth_headers(target_.api_token);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  long status = 0;
  if (curl_easy_perform(curl.get()) != CURLE_OK)
    return;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return;
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("job")
      || !d["job"].IsObject())
    return;
  const auto& job = d["job"];
  auto s = job.FindMember("status");
  if (s != job.MemberEnd() && s->value.IsString()
      && std::string{s->value.GetString()} == "cancelled")
    cancelled();
}

void job_follower::run() {
  curl_ptr escaper{curl_easy_init(), curl_easy_cleanup};
  std::string url = target_.base_url + "/api/events?job_id=";
  if (escaper) {
    char* escaped = curl_easy_escape(escaper.get(), target_.job_id.c_str(),
                                     static_cast<int>(target_.job_id.size()));
    url += escaped;
    curl_free(escaped);
  }
  while (!stop_ && !fired_) {
    stream_reader reader;
    reader.on_data = [this](const std::string& d) { on_event(d); };
    reader.on_id = [this](const std::string& id) { last_event_id_ = id; };
    reader.on_connect = [this] { check_job(); };
    curl_ptr curl{curl_easy_init(), curl_easy_cleanup};
    if (!curl)
      return;
    auto headers = auth_headers(target_.api_token);
    auto* h = headers.release();
    h = curl_slist_append(h, "Accept: text/event-stream");
    if (!last_event_id_.empty())
      h = curl_slist_append(h, ("Last-Event-ID: " + last_event_id_).c_str());
    headers.reset(h);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_bytes);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reader);
    // Called about once a second even on a quiet stream: the way to stop.
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, keep_going);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &stop_);
    curl_easy_perform(curl.get());
    // The stream ended (server restart, network): wait a moment, resume.
    for (int i = 0; i < 10 && !stop_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
}

} // namespace jobsync::tools
