#include "tests/integration/sync_polling/provider_fixture.hpp"

#include "model/timestamp.hpp"
#include "tests/support/sse_client.hpp"

#include <cmath>

using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(polling, provider_fixture)

BOOST_AUTO_TEST_CASE(the_poller_follows_a_job_to_its_end) {
  auto id
      = seed(
            R"({"status":"starting","model":"simpletuner/advanced-trainer-l40s"})")
            .front();
  start(); // polling on, every second (config/test.yaml)
  // Every status event of this job, its discovery included. (Subscribed
  // before the sync: its answer comes a moment before the hub has the
  // discovery, which a later subscriber may or may not see.)
  sse_stream events{server->port(), "/api/events?job_id=" + id};
  BOOST_REQUIRE(events.wait_head());
  BOOST_REQUIRE(events.status() == 200);
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 1u);
  BOOST_TEST(status_of(id) == "queued");
  auto processing = advance(id, "processing");
  BOOST_TEST(eventually([&] { return status_of(id) == "running"; }));
  BOOST_TEST(str(job(id)["started_at"]) == str(processing["started_at"]));
  auto done = advance(id, "succeeded");
  BOOST_TEST(eventually([&] { return status_of(id) == "completed"; }));
  auto stored = job(id);
  BOOST_TEST(str(stored["started_at"]) == str(done["started_at"]));
  BOOST_TEST(str(stored["completed_at"]) == str(done["completed_at"]));
  BOOST_TEST(str(stored["provider_status"]) == "succeeded");
  // Money is kept to a millionth of a dollar.
  double predict_time = done["metrics"]["predict_time"].GetDouble();
  BOOST_TEST(stored["cost_usd"].GetDouble()
             == std::round(predict_time * 0.000972222 * 1e6) / 1e6);
  BOOST_TEST(str(stored["hardware_type"]) == "L40S (48GB)");
  BOOST_TEST(str(stored["output_url"]) == str(done["output"]));
  // One event per transition: discovered queued -> running -> completed.
  // Two more cycles later (which see nothing new) there is still no fourth.
  BOOST_REQUIRE(events.wait_events(3));
  auto cycles = poller()["cycles"].GetUint64();
  BOOST_TEST(
      eventually([&] { return poller()["cycles"].GetUint64() >= cycles + 2; }));
  events.read_available();
  BOOST_REQUIRE(events.events().size() == 3u);
  const char* transitions[][2]
      = {{"", "queued"}, {"queued", "running"}, {"running", "completed"}};
  for (size_t i = 0; i < 3; ++i) {
    rapidjson::Document e;
    e.Parse(events.events()[i].data.c_str());
    BOOST_TEST(events.events()[i].type == "message");
    BOOST_TEST(str(e["type"]) == "job_status_changed");
    BOOST_TEST(str(e["job_id"]) == id);
    BOOST_TEST(str(e["provider"]) == "replicate");
    BOOST_TEST(str(e["previous_status"]) == transitions[i][0]);
    BOOST_TEST(str(e["status"]) == transitions[i][1]);
  }
}

BOOST_AUTO_TEST_CASE(a_thousand_active_jobs_cost_about_ten_list_requests) {
  // 1,000 running jobs under 300 newer finished ones.
  seed(
      R"({"count":1000,"status":"processing","created_spread_seconds":10000})");
  auto newer = seed(
      R"({"count":300,"status":"succeeded","created_spread_seconds":100})");
  start_quiet({"--set", "providers.replicate.sync_limit=1300", "--set",
               "sync.active_deadline_seconds=25", "--set",
               "server.request_timeout_seconds=60"});
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 1300u);
  reset_stats();
  auto d = json_of(api("GET", "/api/cloud/jobs?sync_active=true&limit=1"));
  BOOST_TEST(d["sync"]["checked"].GetUint64() == 1000u);
  BOOST_TEST(d["sync"]["failed"].GetUint64() == 0u);
  BOOST_TEST(d["sync"]["complete"].GetBool());
  BOOST_TEST(sim_requests("list") == 13u); // 1,300 jobs / 100 per page
  BOOST_TEST(sim_requests("get") == 0u);
  auto status = poller();
  auto cycle = status["last_cycle"].GetObject();
  BOOST_TEST(cycle["jobs_active"].GetUint64() == 1000u);
  BOOST_TEST(cycle["requests"].GetUint64() == 13u);

  // Jobs the list no longer shows are fetched one by one (stragglers).
  auto forgotten
      = json_of(api("GET", "/api/cloud/jobs?status=running&limit=3"));
  for (const auto& j : forgotten["jobs"].GetArray())
    http_request("DELETE", sim.url(std::string{"/_admin/jobs/"}
                                   + j["job_id"].GetString()));
  reset_stats();
  auto again = json_of(api("GET", "/api/cloud/jobs?sync_active=true&limit=1"));
  BOOST_TEST(again["sync"]["checked"].GetUint64() == 997u);
  BOOST_TEST(sim_requests("list") == 13u);
  BOOST_TEST(sim_requests("get") == 3u);
  (void) newer;
}

BOOST_AUTO_TEST_CASE(sync_active_reports_what_it_refreshed) {
  auto ids = seed(
      R"({"count":4,"status":"processing","created_spread_seconds":40})");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  advance(ids[0], "succeeded");
  advance(ids[1], "failed");
  auto d = json_of(api("GET", "/api/cloud/jobs?sync_active=true"));
  BOOST_TEST(d["sync"]["checked"].GetUint64() == 4u);
  BOOST_TEST(d["sync"]["updated"].GetUint64() == 2u);
  BOOST_TEST(d["sync"]["complete"].GetBool());
  // The list in the same answer already shows the refreshed statuses.
  for (const auto& j : d["jobs"].GetArray()) {
    std::string id = j["job_id"].GetString();
    if (id == ids[0])
      BOOST_TEST(str(j["status"]) == "completed");
    if (id == ids[1])
      BOOST_TEST(str(j["status"]) == "failed");
  }
  // Without sync_active there is no sync summary.
  BOOST_TEST(!json_of(api("GET", "/api/cloud/jobs")).HasMember("sync"));
}

BOOST_AUTO_TEST_CASE(sync_active_answers_within_its_deadline) {
  auto ids = seed(
      R"({"count":2,"status":"processing","created_spread_seconds":20})");
  start_quiet({"--set", "sync.active_deadline_seconds=1"});
  api("POST", "/api/cloud/jobs/sync");
  fault(R"({"endpoint":"list","kind":"slow","delay_ms":4000})");
  auto d = json_of(api("GET", "/api/cloud/jobs?sync_active=true"));
  BOOST_TEST(!d["sync"]["complete"].GetBool());
  BOOST_TEST(d["sync"]["failed"].GetUint64() == 2u);
  BOOST_TEST(d["total"].GetUint64() == 2u);
}

BOOST_AUTO_TEST_CASE(retry_after_is_obeyed_and_the_store_converges) {
  auto ids = seed(
      R"({"count":3,"status":"processing","created_spread_seconds":30})");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  server.reset();
  fault(
      R"({"endpoint":"*","kind":"status","status":429,"retry_after":2,"count":3})");
  advance(ids[0], "succeeded");
  reset_stats();
  start(); // polling on, every second
  BOOST_TEST(eventually([&] {
    auto p = poller();
    return p["retry_after_until"].IsString()
           || p["consecutive_failures"].GetUint() > 0;
  }));
  BOOST_TEST(eventually([&] { return status_of(ids[0]) == "completed"; },
                        std::chrono::seconds(30)));
  auto s = stats();
  BOOST_TEST(s["early_requests"].GetUint64() == 0u);
  BOOST_TEST(status_of(ids[1]) == "running");
}

BOOST_AUTO_TEST_CASE(a_5xx_storm_backs_off_opens_the_circuit_and_recovers) {
  auto ids = seed(
      R"({"count":2,"status":"processing","created_spread_seconds":20})");
  auto finished = seed(R"({"count":1,"status":"succeeded"})");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  server.reset();
  fault(R"({"endpoint":"*","kind":"status","status":503})");
  start({"--set", "providers.replicate.circuit_failure_threshold=2"});
  BOOST_TEST(eventually([&] { return str(poller()["circuit"]) == "open"; },
                        std::chrono::seconds(30)));
  auto p = poller();
  BOOST_TEST(p["consecutive_failures"].GetUint() >= 2u);
  BOOST_TEST(p["last_cycle"]["errors"].GetUint64() > 0u);
  BOOST_TEST(!str(p["last_cycle"]["last_error"]).empty());
  // Nothing terminal moved back meanwhile.
  BOOST_TEST(status_of(finished[0]) == "completed");
  advance(ids[0], "canceled");
  clear_faults();
  BOOST_TEST(eventually([&] { return status_of(ids[0]) == "cancelled"; },
                        std::chrono::seconds(30)));
  BOOST_TEST(eventually([&] { return str(poller()["circuit"]) == "closed"; }));
  BOOST_TEST(poller()["consecutive_failures"].GetUint() == 0u);
}

BOOST_AUTO_TEST_CASE(auto_polling_is_off_when_webhooks_are_configured) {
  start({"--set", "background.job_status_polling.enabled=auto", "--set",
         "providers.replicate.webhook_url=https://example.com/hook"});
  auto p = poller();
  BOOST_TEST(!p["enabled"].GetBool());
  BOOST_TEST(str(p["reason"]).find("webhook") != std::string::npos);
  BOOST_TEST(eventually([&] { return api("GET", "/readyz").status == 200; }));
  BOOST_TEST(poller()["cycles"].GetUint64() == 0u);
  BOOST_TEST(
      !json_of(api("GET", "/api/cloud/polling/status"))["is_active"].GetBool());
}

BOOST_AUTO_TEST_CASE(auto_polling_is_on_without_webhooks_and_true_forces_it) {
  seed(R"({"status":"processing"})");
  start({"--set", "background.job_status_polling.enabled=auto"});
  BOOST_TEST(poller()["enabled"].GetBool());
  server.reset();
  start({"--set", "background.job_status_polling.enabled=true", "--set",
         "providers.replicate.webhook_url=https://example.com/hook"});
  auto p = poller();
  BOOST_TEST(p["enabled"].GetBool());
  BOOST_TEST(eventually([&] { return poller()["cycles"].GetUint64() >= 2u; }));
}

BOOST_AUTO_TEST_CASE(the_interval_environment_variables_take_effect) {
  start({}, {{"SIMPLETUNER_JOB_POLL_INTERVAL", "7"}});
  BOOST_TEST(poller()["interval_seconds"].GetInt() == 7);
  server.reset();
  start({}, {{"SIMPLETUNER_JOB_POLL_INTERVAL", "7"},
             {"JOBSYNC_POLL_INTERVAL", "9"}});
  BOOST_TEST(poller()["interval_seconds"].GetInt() == 9);
}

BOOST_AUTO_TEST_CASE(readiness_waits_for_the_first_cycle) {
  seed(R"({"count":2,"status":"processing"})");
  fault(R"({"endpoint":"list","kind":"slow","delay_ms":1500,"count":1})");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync"); // slow, but it stores the two jobs
  server.reset();
  fault(R"({"endpoint":"list","kind":"slow","delay_ms":3000,"count":1})");
  start();
  auto early = api("GET", "/readyz");
  check_error(early, 503, "unavailable", "first poll");
  BOOST_TEST(eventually([&] { return api("GET", "/readyz").status == 200; }));
}

BOOST_AUTO_TEST_SUITE_END()
