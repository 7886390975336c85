#include "tests/integration/reconcile/reconcile_fixture.hpp"

#include "tests/support/sse_client.hpp"

#include <chrono>

using namespace jobsync;
using namespace jobsync::test;
using namespace std::chrono_literals;

namespace {

using steady = std::chrono::steady_clock;

// A signed delivery of a `processing` prediction, as Replicate sends one.
http_response post_processing(const reconcile_fixture& f, const std::string& id,
                              const std::string& created_at, int n) {
  auto body = R"({"id":")" + id
              + R"(","model":"simpletuner/advanced-trainer-h100",)"
                R"("status":"processing","created_at":")"
              + created_at + R"(","logs":"step )" + std::to_string(n)
              + R"(/1000\n"})";
  auto key = decode_webhook_secret(reconcile_secret);
  BOOST_REQUIRE(key.has_value());
  auto msg_id = "msg_keep_" + std::to_string(n);
  auto ts = now_ms() / 1000;
  return http_request(
      "POST", f.hook(), body,
      {{"Content-Type", "application/json"},
       {"webhook-id", msg_id},
       {"webhook-timestamp", std::to_string(ts)},
       {"webhook-signature", sign_webhook(*key, msg_id, ts, body)}});
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(reconcile, reconcile_fixture)

// Webhooks configured and polling on auto: no poller cycles, only the
// sweep. A terminal webhook that never arrives is caught by the next sweep;
// only that change counts as recovered, not the one a webhook delivered.
BOOST_AUTO_TEST_CASE(a_lost_terminal_webhook_is_recovered_by_the_sweep) {
  const auto sweep = 3s;
  start({"--set", "background.job_status_polling.enabled=auto", "--set",
         "providers.replicate.webhook_url=https://jobsync.example/hook",
         "--set", "background.reconcile_interval_seconds=3"});
  auto ids = seed(R"({"count":2,"status":"processing","webhook":")" + hook()
                  + R"(","webhook_events_filter":["completed"]})");
  discover(2);
  const auto& delivered = ids[0];
  const auto& lost = ids[1];
  auto p = json_of(http_get(server->url("/api/cloud/polling/status")));
  BOOST_TEST(!p["providers"][0]["enabled"].GetBool());
  BOOST_TEST(p["providers"][0]["sweep_interval_seconds"].GetInt() == 3);
  // Right after a sweep, one job ends and its webhook says so at once.
  BOOST_REQUIRE(more_cycles(1));
  advance(delivered, "succeeded");
  BOOST_REQUIRE(
      eventually([&] { return status_of(delivered) == "completed"; }));
  BOOST_TEST(recovered() == 0);
  // The other one's completed webhook is lost on the way.
  auto r = sim.admin("/_admin/webhooks/drops",
                     R"({"job_id":")" + lost + R"(","event":"completed"})");
  BOOST_REQUIRE(r.status == 200);
  advance(lost, "succeeded");
  auto ended = steady::now();
  BOOST_TEST(
      eventually([&] { return status_of(lost) == truth(lost); }, sweep + 10s));
  BOOST_TEST_MESSAGE("converged "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(
                            steady::now() - ended)
                            .count()
                     << " ms after the job ended (sweep every 3 s)");
  BOOST_TEST(status_of(lost) == "completed");
  BOOST_TEST(recovered() == 1);
  // Later sweeps find nothing more.
  BOOST_REQUIRE(more_cycles(2));
  BOOST_TEST(recovered() == 1);
  auto stats = json_of(http_get(sim.url("/_admin/stats")));
  BOOST_TEST(stats["webhooks"]["dropped"].GetUint64() == 1u);
  BOOST_TEST(stats["webhooks"]["succeeded"].GetUint64() == 1u);
}

// A job deleted at the provider: one 404 is noted, then it is asked about
// once per sweep (not once a second), and after lost_after it is failed,
// with one event, and never asked about again.
BOOST_AUTO_TEST_CASE(a_job_the_provider_forgot_becomes_failed_not_found) {
  start({"--set", "background.reconcile_interval_seconds=4", "--set",
         "providers.replicate.lost_after_seconds=8"});
  auto ids = seed(R"({"count":2,"status":"processing"})");
  discover(2);
  const auto& gone = ids[0];
  const auto& kept = ids[1];
  sse_stream events{server->port(), "/api/events?job_id=" + gone};
  BOOST_REQUIRE(events.wait_head());
  BOOST_REQUIRE(events.status() == 200);
  auto deleted = http_request("DELETE", sim.url("/_admin/jobs/" + gone));
  BOOST_REQUIRE(deleted.status == 200);
  BOOST_REQUIRE(eventually([&] { return status_of(gone) == "failed"; }, 60s));
  auto j = stored(gone);
  BOOST_TEST(required_text(j, "provider_status") == "not_found");
  BOOST_TEST(required_text(j, "error_message")
                 .rfind("Lost: Replicate has not known this job since ", 0)
             == 0u);
  // Polling runs every second: asked once a cycle, that would be about
  // nine GETs; once per sweep it is four at most.
  auto gets = gets_of(gone);
  BOOST_TEST(gets >= 2u);
  BOOST_TEST(gets <= 5u, gets << " GETs");
  BOOST_REQUIRE(events.wait_events(1));
  // Never asked about again, and no second event.
  BOOST_REQUIRE(more_cycles(6));
  BOOST_TEST(gets_of(gone) == gets);
  events.read_available();
  BOOST_REQUIRE(events.events().size() == 1u);
  auto e = json_of(http_response{200, events.events()[0].data, {}, {}});
  BOOST_TEST(required_text(e, "previous_status") == "running");
  BOOST_TEST(required_text(e, "status") == "failed");
  // The job the provider still knows is untouched and matches its truth.
  BOOST_TEST(status_of(kept) == truth(kept));
  BOOST_TEST(stored(kept)["metadata"].HasMember("provider_not_found_since")
             == false);
  BOOST_TEST(metric(R"(jobsync_poller_jobs_lost_total{provider="replicate"})")
             == 1);
}

// The provider answers 404 for a job whose webhooks still arrive (another
// account's job, say): every delivery confirms it, so it is never lost.
BOOST_AUTO_TEST_CASE(a_job_that_still_gets_webhooks_is_not_declared_lost) {
  start({"--set", "background.reconcile_interval_seconds=2", "--set",
         "providers.replicate.lost_after_seconds=4"});
  auto id = seed(R"({"count":1,"status":"processing"})").front();
  discover(1);
  std::string created_at = required_text(stored(id), "created_at");
  auto deleted = http_request("DELETE", sim.url("/_admin/jobs/" + id));
  BOOST_REQUIRE(deleted.status == 200);
  // A delivery after every cycle while the sweeps answer 404 for longer
  // than lost_after (four 404s at least two seconds apart).
  int n = 0;
  auto deadline = steady::now() + 90s;
  while (gets_of(id) < 4 && steady::now() < deadline) {
    auto r = post_processing(*this, id, created_at, ++n);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    BOOST_REQUIRE(more_cycles(1));
  }
  BOOST_REQUIRE(gets_of(id) >= 4u);
  BOOST_TEST(status_of(id) == "running");
  BOOST_TEST(metric(R"(jobsync_poller_jobs_lost_total{provider="replicate"})")
             == 0);
}

BOOST_AUTO_TEST_SUITE_END()
