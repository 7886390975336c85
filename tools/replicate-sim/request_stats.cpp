#include "tools/replicate-sim/request_stats.hpp"

#include "model/json.hpp"

#include <algorithm>

namespace jobsync::sim {

namespace {

constexpr const char* counted[]
    = {"list", "get", "cancel", "create", "account", "secret"};

} // namespace

void request_stats::record(std::string_view endpoint, std::string_view job_id,
                           int64_t wall_ms, std::string_view token) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++total_;
  if (!token.empty())
    ++by_token_[std::string{token}];
  ++requests_[std::string{endpoint}];
  if (endpoint == "get" && !job_id.empty())
    gets_by_job_[std::string{job_id}].push_back(wall_ms);
  if (wall_ms < retry_until_ms_)
    ++early_;
}

void request_stats::note_retry_after(int64_t until_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  retry_until_ms_ = std::max(retry_until_ms_, until_ms);
}

std::string request_stats::to_json(const webhook_counters& webhooks) const {
  std::lock_guard<std::mutex> guard{mtx_};
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("requests");
  w.StartObject();
  for (auto name : counted) {
    w.Key(name);
    auto i = requests_.find(std::string_view{name});
    w.Uint64(i == requests_.end() ? 0 : i->second);
  }
  w.Key("total");
  w.Uint64(total_);
  w.EndObject();
  w.Key("requests_by_token");
  w.StartObject();
  for (auto& [token, n] : by_token_) {
    write_key(w, token);
    w.Uint64(n);
  }
  w.EndObject();
  w.Key("gets_by_job");
  w.StartObject();
  for (auto& [id, times] : gets_by_job_) {
    write_key(w, id);
    w.StartArray();
    for (auto t : times)
      w.Int64(t);
    w.EndArray();
  }
  w.EndObject();
  w.Key("early_requests");
  w.Uint64(early_);
  w.Key("webhooks");
  w.StartObject();
  w.Key("sent");
  w.Uint64(webhooks.sent);
  w.Key("succeeded");
  w.Uint64(webhooks.succeeded);
  w.Key("failed");
  w.Uint64(webhooks.failed);
  w.Key("retried");
  w.Uint64(webhooks.retried);
  w.Key("dropped");
  w.Uint64(webhooks.dropped);
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

void request_stats::reset() {
  std::lock_guard<std::mutex> guard{mtx_};
  requests_.clear();
  total_ = 0;
  by_token_.clear();
  gets_by_job_.clear();
  early_ = 0;
}

} // namespace jobsync::sim
