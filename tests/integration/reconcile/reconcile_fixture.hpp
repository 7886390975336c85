#pragma once

// A replicate-sim with a frozen clock that signs webhooks with the tests'
// secret, and a jobsyncd pointed at it, for the reconcile tests: what the
// store holds is always compared with the emulator's truth.

#include "model/standard_webhooks.hpp"
#include "model/timestamp.hpp"
#include "tests/support/http.hpp"
#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"
#include "tests/support/metrics_text.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// The secret of config/test.yaml, given to the emulator too.
inline const std::string reconcile_secret = "whsec_dGVzdC1zZWNyZXQ=";

struct reconcile_fixture {
  temp_dir dir;
  replicate_sim sim{{"--speed", "0", "--webhook-secret", reconcile_secret,
                     "--webhook-retry-initial-ms", "50", "--webhook-retry-max",
                     "2"}};
  std::unique_ptr<jobsyncd> server;

  /// Starts jobsyncd against the emulator with `extra` flags.
  void start(std::vector<std::string> extra) {
    std::vector<std::string> args{
        "--set", "providers.replicate.api_base_url=" + sim.api_base(),
        "--set", "providers.replicate.api_token=r8_sim_token",
        "--set", "providers.replicate.webhook_secret=" + reconcile_secret};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<jobsyncd>(dir.path(), args);
  }

  /// jobsyncd's webhook receiver, for the emulator's jobs.
  std::string hook() const {
    return server->url("/api/webhooks/replicate");
  }

  /// Seeds jobs in the emulator; their ids, newest first.
  std::vector<std::string> seed(const std::string& json) {
    auto r = sim.admin("/_admin/jobs", json);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> ids;
    auto d = json_of(r);
    const auto& listed = required_member(d, "ids");
    BOOST_REQUIRE_MESSAGE(listed.IsArray(), r.body);
    for (const auto& id : listed.GetArray()) {
      BOOST_REQUIRE_MESSAGE(id.IsString(), r.body);
      ids.emplace_back(id.GetString());
    }
    return ids;
  }

  /// Forces a transition at the emulator.
  void advance(const std::string& id, const std::string& to) {
    auto r = sim.admin("/_admin/jobs/" + id + "/advance",
                       R"({"to":")" + to + R"("})");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }

  /// The emulator's word for a job, mapped as jobsync maps it: the truth.
  std::string truth(const std::string& id) {
    auto r = http_get(sim.url("/_admin/jobs/" + id));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    std::string word = required_text(json_of(r), "status");
    if (word == "starting")
      return "queued";
    if (word == "processing")
      return "running";
    if (word == "succeeded")
      return "completed";
    if (word == "canceled" || word == "aborted")
      return "cancelled";
    return word;
  }

  /// The stored job ("" fields when absent).
  rapidjson::Document stored(const std::string& id) {
    auto r = http_get(server->url("/api/cloud/jobs/" + id));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    rapidjson::Document j;
    j.CopyFrom(required_member(d, "job"), j.GetAllocator());
    return j;
  }

  std::string status_of(const std::string& id) {
    return required_text(stored(id), "status");
  }

  /// Discovers the emulator's jobs (POST /api/cloud/jobs/sync).
  void discover(uint64_t expected) {
    auto r = http_request("POST", server->url("/api/cloud/jobs/sync"));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    BOOST_REQUIRE_MESSAGE(required_member(d, "synced").IsUint64()
                              && d["synced"].GetUint64() == expected,
                          r.body);
  }

  /// A sample of GET /metrics (0 when absent).
  double metric(const std::string& series) {
    auto r = http_get(server->url("/metrics"));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.error);
    return metric_value(r.body, series).value_or(0);
  }

  double recovered() {
    return metric(R"(jobsync_reconcile_recovered_total{provider="replicate"})");
  }

  /// Cycles the poller has finished.
  uint64_t cycles() {
    auto r = http_get(server->url("/api/cloud/polling/status"));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body);
    auto d = json_of(r);
    const auto& providers = required_member(d, "providers");
    BOOST_REQUIRE_MESSAGE(providers.IsArray() && !providers.Empty(), r.body);
    BOOST_REQUIRE_MESSAGE(
        required_text(providers[0], "provider") == "replicate", r.body);
    const auto& n = required_member(providers[0], "cycles");
    BOOST_REQUIRE_MESSAGE(n.IsUint64(), r.body);
    return n.GetUint64();
  }

  /// Waits until the poller finished `n` more cycles.
  bool more_cycles(uint64_t n, std::chrono::milliseconds timeout
                               = std::chrono::seconds(60)) {
    auto target = cycles() + n;
    return eventually([&] { return cycles() >= target; }, timeout);
  }

  /// The emulator's GETs of one job so far.
  size_t gets_of(const std::string& id) {
    auto r = http_get(sim.url("/_admin/stats"));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body);
    auto d = json_of(r);
    const auto& by_job = required_member(d, "gets_by_job");
    if (!by_job.HasMember(id.c_str()))
      return 0;
    BOOST_REQUIRE_MESSAGE(by_job[id.c_str()].IsArray(), r.body);
    return by_job[id.c_str()].Size();
  }
};

} // namespace jobsync::test
