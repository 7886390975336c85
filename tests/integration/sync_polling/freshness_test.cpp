// Freshness against the real jobsyncd and replicate-sim: every answer of
// the provider about a job moves its synced_at without an event, and a job
// the provider stops confirming is shown stale (API and /metrics) until it
// answers again; its status is never guessed meanwhile.

#include "tests/integration/sync_polling/provider_fixture.hpp"

#include "model/timestamp.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/sse_client.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

// A job's synced_at in milliseconds; 0 when it is null.
unix_ms synced_at(const rapidjson::Value& job) {
  BOOST_REQUIRE(job.HasMember("synced_at"));
  if (job["synced_at"].IsNull())
    return 0;
  BOOST_REQUIRE(job["synced_at"].IsString());
  auto t = parse_rfc3339(job["synced_at"].GetString());
  BOOST_REQUIRE(t.has_value());
  return *t;
}

bool stale(const rapidjson::Value& job) {
  BOOST_REQUIRE(job.HasMember("stale") && job["stale"].IsBool());
  return job["stale"].GetBool();
}

const std::string stale_series = "jobsync_jobs_stale{provider=\"replicate\"}";

} // namespace

BOOST_FIXTURE_TEST_SUITE(freshness, provider_fixture)

BOOST_AUTO_TEST_CASE(each_poll_moves_synced_at_without_an_event) {
  auto id = seed(R"({"status":"processing"})").front();
  start({"--set", "background.stale_after_seconds=3600"}); // polls every 1 s
  // Subscribed first: the discovery is the stream's first event.
  sse_stream events{server->port(), "/api/events?job_id=" + id};
  BOOST_REQUIRE(events.wait_head());
  BOOST_REQUIRE(events.status() == 200);
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 1u);
  BOOST_REQUIRE(events.wait_events(1));
  auto first = synced_at(job(id));
  BOOST_TEST(first > 0);
  BOOST_TEST(!stale(job(id)));
  // Polls that find the job as it was confirm it, again and again.
  unix_ms second = 0;
  BOOST_TEST(eventually([&] { return (second = synced_at(job(id))) > first; }));
  BOOST_TEST(eventually([&] { return synced_at(job(id)) > second; }));
  BOOST_TEST(status_of(id) == "running");
  // The next event is the real change: the confirmations were none.
  advance(id, "succeeded");
  BOOST_REQUIRE(events.wait_events(2));
  const auto& change = events.events()[1].data;
  BOOST_TEST(change.find("\"status\":\"completed\"") != std::string::npos,
             change);
  BOOST_TEST(change.find("\"previous_status\":\"running\"")
                 != std::string::npos,
             change);
  BOOST_TEST(status_of(id) == "completed");
  BOOST_TEST(synced_at(job(id)) > second);
}

BOOST_AUTO_TEST_CASE(stale_appears_when_the_provider_stops_and_clears_after) {
  auto id = seed(R"({"status":"processing"})").front();
  start({"--set", "background.stale_after_seconds=5"}); // polls every 1 s
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 1u);
  auto metric = [&] {
    auto r = http_get(server->url("/metrics"));
    BOOST_REQUIRE(r.status == 200);
    return metric_value(r.body, stale_series).value_or(-1);
  };
  BOOST_TEST(!stale(job(id)));
  BOOST_TEST(metric() == 0.0);
  // Every request to the emulator fails from now on.
  fault(R"({"endpoint":"*","status":503})");
  auto last_confirmed = synced_at(job(id));
  BOOST_TEST(
      eventually([&] { return stale(job(id)); }, std::chrono::seconds(30)));
  BOOST_TEST(metric() == 1.0);
  auto listed = json_of(api("GET", "/api/cloud/jobs"));
  BOOST_REQUIRE(listed["jobs"].Size() == 1u);
  BOOST_TEST(stale(listed["jobs"][0]));
  // Stale says "not confirmed", nothing more: the status stays what the
  // provider last said, and synced_at when it said it.
  auto during = job(id);
  BOOST_TEST(std::string{during["status"].GetString()} == "running");
  BOOST_TEST(synced_at(during) >= last_confirmed);
  BOOST_TEST(synced_at(during) < now_ms() - 5000);
  // The provider answers again: the next poll confirms the job.
  clear_faults();
  BOOST_TEST(
      eventually([&] { return !stale(job(id)); }, std::chrono::seconds(30)));
  BOOST_TEST(metric() == 0.0);
  BOOST_TEST(synced_at(job(id)) > synced_at(during));
  BOOST_TEST(status_of(id) == "running");
  // And its truth goes on reaching the store.
  advance(id, "failed");
  BOOST_TEST(eventually([&] { return status_of(id) == "failed"; }));
  BOOST_TEST(!stale(job(id)));
}

BOOST_AUTO_TEST_SUITE_END()
