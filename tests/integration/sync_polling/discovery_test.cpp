#include "tests/integration/sync_polling/provider_fixture.hpp"

#include <cmath>
#include <future>

using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(discovery, provider_fixture)

BOOST_AUTO_TEST_CASE(a_sync_follows_cursors_up_to_sync_limit) {
  seed(R"({"count":250,"status":"succeeded","created_spread_seconds":2500})");
  start_quiet({"--set", "providers.replicate.sync_limit=250"});
  reset_stats();
  auto r = api("POST", "/api/cloud/jobs/sync");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(
      r.body
      == R"({"synced":250,"updated":0,"message":"Discovered 250 new jobs from Replicate"})");
  BOOST_TEST(sim_requests("list") == 3u); // 100 + 100 + 50
  auto list = json_of(api("GET", "/api/cloud/jobs?limit=1"));
  BOOST_TEST(list["total"].GetUint64() == 250u);
  auto again = api("POST", "/api/cloud/jobs/sync");
  BOOST_TEST(
      again.body
      == R"({"synced":0,"updated":0,"message":"Discovered 0 new jobs from Replicate"})");
}

BOOST_AUTO_TEST_CASE(the_default_limit_is_one_hundred_newest_jobs) {
  auto ids = seed(
      R"({"count":150,"status":"succeeded","created_spread_seconds":1500})");
  start_quiet();
  auto d = json_of(api("POST", "/api/cloud/jobs/sync"));
  BOOST_TEST(d["synced"].GetUint64() == 100u);
  BOOST_TEST(status_of(ids.front()) == "completed");
  BOOST_TEST(status_of(ids.back()).empty()); // the oldest 50 were not read
}

BOOST_AUTO_TEST_CASE(a_sync_updates_known_jobs_and_counts_them) {
  auto ids = seed(
      R"({"count":3,"status":"processing","created_spread_seconds":30})");
  start_quiet();
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 3u);
  advance(ids[0], "succeeded");
  auto d = json_of(api("POST", "/api/cloud/jobs/sync"));
  BOOST_TEST(d["synced"].GetUint64() == 0u);
  BOOST_TEST(d["updated"].GetUint64() == 1u);
  BOOST_TEST(status_of(ids[0]) == "completed");
  BOOST_TEST(status_of(ids[1]) == "running");
}

BOOST_AUTO_TEST_CASE(syncs_leave_a_running_local_training_run_alone) {
  // The Sync button and ?sync_active=true while a local training run is
  // going: Replicate is asked about Replicate's jobs only, and the local
  // job keeps what its trainer last reported.
  seed(R"({"count":2,"status":"processing","created_spread_seconds":20})");
  start_quiet();
  auto report
      = http_request("POST", server->url("/callback"),
                     R"({"type": "training.status", "job_id": "localrun1", )"
                     R"("progress": {"current": 5, "total": 12}})",
                     {{"Content-Type", "application/json"}});
  BOOST_REQUIRE_MESSAGE(report.status == 200, report.body);
  BOOST_REQUIRE(status_of("localrun1") == "running");
  auto d = json_of(api("POST", "/api/cloud/jobs/sync"));
  BOOST_TEST(d["synced"].GetUint64() == 2u);
  auto refreshed = json_of(api("GET", "/api/cloud/jobs?sync_active=true"));
  BOOST_TEST(refreshed["sync"]["checked"].GetUint64() == 2u);
  BOOST_TEST(refreshed["sync"]["complete"].GetBool());
  BOOST_TEST(refreshed["total"].GetUint64() == 3u);
  auto local = json_of(api("GET", "/api/cloud/jobs/localrun1"));
  BOOST_TEST(str(local["job"]["status"]) == "running");
  BOOST_TEST(str(local["job"]["provider"]) == "local");
}

BOOST_AUTO_TEST_CASE(a_provider_failure_is_a_502_with_the_reason) {
  seed(R"({"count":5,"status":"succeeded"})");
  start_quiet();
  fault(R"({"endpoint":"list","kind":"status","status":500})");
  auto r = api("POST", "/api/cloud/jobs/sync");
  check_error(r, 502, "provider_error", "Replicate");
  BOOST_TEST(json_of(api("GET", "/api/cloud/jobs"))["total"].GetUint64() == 0u);
  clear_faults();
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 5u);
}

BOOST_AUTO_TEST_CASE(a_provider_429_is_a_429_with_its_retry_after) {
  seed(R"({"count":5,"status":"succeeded"})");
  start_quiet();
  fault(R"({"endpoint":"list","kind":"status","status":429,"retry_after":7,)"
        R"("count":1})");
  auto r = api("POST", "/api/cloud/jobs/sync");
  check_error(r, 429, "rate_limited", "Replicate");
  BOOST_TEST(r.headers["retry-after"] == "7", r.body);
  // Asked again within the wait, jobsync answers at once without asking
  // the provider early; the wait left is in Retry-After.
  reset_stats();
  auto again = api("POST", "/api/cloud/jobs/sync");
  check_error(again, 429, "rate_limited");
  auto left = std::stoi(again.headers["retry-after"]);
  BOOST_TEST((left >= 1 && left <= 7), left);
  BOOST_TEST(sim_requests("list") == 0u);
  BOOST_TEST(stats()["early_requests"].GetUint64() == 0u);
}

// SimpleTuner's trainers name their hardware; their jobs are labelled and
// priced for it (they were all one L40S before).
BOOST_AUTO_TEST_CASE(hardware_and_price_come_from_the_model_name) {
  auto h100 = seed(R"({"count":1,"status":"succeeded",)"
                   R"("model":"simpletuner/advanced-trainer-h100"})")
                  .front();
  auto l40s_x8 = seed(R"({"count":1,"status":"succeeded",)"
                      R"("model":"simpletuner/advanced-trainer-l40s-x8"})")
                     .front();
  start_quiet();
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 2u);
  struct expectation {
    std::string id;
    const char* label;
    double per_second;
  };
  for (const auto& e : {expectation{h100, "H100 (80GB)", 0.001525},
                        expectation{l40s_x8, "8x L40S (384GB)", 0.007777778}}) {
    auto truth = json_of(http_get(sim.url("/_admin/jobs/" + e.id)));
    auto stored = job(e.id);
    BOOST_TEST(str(stored["hardware_type"]) == e.label);
    // Stored money is rounded to a millionth of a dollar.
    double expected
        = truth["metrics"]["predict_time"].GetDouble() * e.per_second;
    BOOST_TEST(std::abs(stored["cost_usd"].GetDouble() - expected) <= 5e-7,
               stored["cost_usd"].GetDouble() << " vs " << expected);
  }
}

BOOST_AUTO_TEST_CASE(concurrent_syncs_share_one_run) {
  seed(R"({"count":120,"status":"succeeded","created_spread_seconds":1200})");
  start_quiet();
  // The first page is slow, so every request arrives while it runs.
  fault(R"({"endpoint":"list","kind":"slow","delay_ms":1500,"count":1})");
  reset_stats();
  std::vector<std::future<http_response>> calls;
  for (int i = 0; i < 5; ++i)
    calls.push_back(std::async(std::launch::async, [this] {
      return api("POST", "/api/cloud/jobs/sync");
    }));
  std::vector<std::string> bodies;
  for (auto& c : calls)
    bodies.push_back(c.get().body);
  // Requests that arrived during the slow first page joined its run; at
  // most a late one started a second run, which found nothing new.
  size_t firsts = 0;
  for (const auto& b : bodies) {
    auto d = json_of(http_response{200, b, {}, {}});
    auto synced = d["synced"].GetUint64();
    BOOST_TEST((synced == 100u || synced == 0u), b);
    firsts += synced == 100u;
  }
  BOOST_TEST(firsts >= 4u);
  BOOST_TEST(sim_requests("list") <= 2u);
}

BOOST_AUTO_TEST_SUITE_END()
