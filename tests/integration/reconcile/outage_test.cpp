#include "tests/integration/reconcile/reconcile_fixture.hpp"

#include "tests/support/sse_client.hpp"

#include <chrono>
#include <map>
#include <thread>

using namespace jobsync;
using namespace jobsync::test;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(reconcile_outage, reconcile_fixture)

// About 75 s: the provider refuses every request for a minute while its
// jobs end. Nothing is stored wrongly meanwhile, and once it answers again
// every job converges within one poll interval (plus the jitter of a retry
// and a loaded machine's slack), though circuit_open_seconds is 30: the
// circuit's open period and the backoff are capped by the interval.
// (Uncapped, the probe that fails at about 45 s reopens the circuit until
// about 75 s: 15 s after the provider came back.)
BOOST_AUTO_TEST_CASE(
    after_a_minute_long_outage_the_store_converges_in_an_interval) {
  const auto interval = 5s;
  start({"--set", "background.job_status_polling.interval_seconds=5", "--set",
         "providers.replicate.circuit_failure_threshold=2", "--set",
         "providers.replicate.circuit_open_seconds=30", "--set",
         "providers.replicate.backoff_max_seconds=300"});
  auto ids = seed(R"({"count":4,"status":"processing"})");
  discover(4);
  sse_stream events{server->port(), "/api/events"};
  BOOST_REQUIRE(events.wait_head());
  auto fault = sim.admin("/_admin/faults",
                         R"({"endpoint":"*","kind":"status","status":503})");
  BOOST_REQUIRE(fault.status == 200);
  auto down = std::chrono::steady_clock::now();
  advance(ids[0], "succeeded");
  advance(ids[1], "failed");
  advance(ids[2], "canceled");
  // ids[3] keeps running.
  bool circuit_opened = false;
  while (std::chrono::steady_clock::now() - down < 60s) {
    for (const auto& id : ids)
      BOOST_REQUIRE_MESSAGE(status_of(id) == "running",
                            id << " left running during the outage");
    auto p = json_of(http_get(server->url("/api/cloud/polling/status")));
    const auto& providers = required_member(p, "providers");
    BOOST_REQUIRE_MESSAGE(providers.IsArray() && !providers.Empty(),
                          json_text(p));
    circuit_opened
        = circuit_opened || required_text(providers[0], "circuit") == "open";
    std::this_thread::sleep_for(500ms);
  }
  BOOST_TEST(circuit_opened);
  BOOST_REQUIRE(http_request("DELETE", sim.url("/_admin/faults")).status
                == 200);
  auto up = std::chrono::steady_clock::now();
  auto converged = [&] {
    for (const auto& id : ids)
      if (status_of(id) != truth(id))
        return false;
    return true;
  };
  BOOST_REQUIRE(eventually(converged, 60s, 100ms));
  auto took = std::chrono::steady_clock::now() - up;
  BOOST_TEST_MESSAGE(
      "converged "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms after the provider came back (interval 5 s)");
  BOOST_TEST((took <= interval + 5s),
             std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                 << " ms");
  // Exactly one event per real transition, and none for the running job.
  BOOST_REQUIRE(events.wait_events(3));
  BOOST_REQUIRE(more_cycles(2));
  events.read_available();
  std::map<std::string, std::vector<std::string>> by_job;
  for (const auto& e : events.events()) {
    auto d = json_of(http_response{200, e.data, {}, {}});
    by_job[required_text(d, "job_id")].push_back(
        required_text(d, "previous_status") + "->"
        + required_text(d, "status"));
  }
  BOOST_TEST(by_job[ids[0]] == std::vector<std::string>{"running->completed"});
  BOOST_TEST(by_job[ids[1]] == std::vector<std::string>{"running->failed"});
  BOOST_TEST(by_job[ids[2]] == std::vector<std::string>{"running->cancelled"});
  BOOST_TEST(by_job.count(ids[3]) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
