#pragma once

#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// A JSON string's text; "" for anything else.
inline std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

/// A frozen-clock replicate-sim and a jobsyncd pointed at it.
struct provider_fixture {
  temp_dir dir;
  replicate_sim sim{{"--speed", "0"}};
  std::unique_ptr<jobsyncd> server;

  /// Starts jobsyncd with the emulator as its Replicate, plus `extra` flags.
  void start(std::vector<std::string> extra = {},
             std::map<std::string, std::string> env = {}) {
    std::vector<std::string> args{
        "--set", "providers.replicate.api_base_url=" + sim.api_base(), "--set",
        "providers.replicate.api_token=r8_sim_token"};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<jobsyncd>(dir.path(), args, env);
  }

  /// Starts jobsyncd without background polling.
  void start_quiet(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(),
                 {"--set", "background.job_status_polling.enabled=false"});
    start(extra);
  }

  /// Seeds jobs in the emulator; returns their ids, newest first.
  std::vector<std::string> seed(const std::string& json) {
    auto r = sim.admin("/_admin/jobs", json);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    std::vector<std::string> ids;
    for (const auto& id : d["ids"].GetArray())
      ids.emplace_back(id.GetString());
    return ids;
  }

  /// Forces a job's transition in the emulator; returns the job object.
  rapidjson::Document advance(const std::string& id, const std::string& to) {
    auto r = sim.admin("/_admin/jobs/" + id + "/advance",
                       R"({"to":")" + to + R"("})");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r);
  }

  /// The emulator's request counters.
  rapidjson::Document stats() {
    return json_of(http_get(sim.url("/_admin/stats")));
  }

  uint64_t sim_requests(const char* kind) {
    return stats()["requests"][kind].GetUint64();
  }

  void reset_stats() {
    sim.admin("/_admin/stats/reset", "{}");
  }

  void fault(const std::string& json) {
    auto r = sim.admin("/_admin/faults", json);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }

  void clear_faults() {
    http_request("DELETE", sim.url("/_admin/faults"));
  }

  http_response api(const std::string& method, const std::string& path,
                    const std::string& body = {}) {
    return http_request(method, server->url(path), body);
  }

  /// A stored job (404 fails the test).
  rapidjson::Document job(const std::string& id) {
    auto r = api("GET", "/api/cloud/jobs/" + id);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    rapidjson::Document j;
    j.CopyFrom(d["job"], j.GetAllocator());
    return j;
  }

  std::string status_of(const std::string& id) {
    auto r = api("GET", "/api/cloud/jobs/" + id);
    if (r.status != 200)
      return "";
    return json_of(r)["job"]["status"].GetString();
  }

  /// The first poller's status object.
  rapidjson::Document poller() {
    auto d = json_of(api("GET", "/api/cloud/polling/status"));
    rapidjson::Document p;
    p.CopyFrom(d["providers"][0], p.GetAllocator());
    return p;
  }
};

} // namespace jobsync::test
