#define BOOST_TEST_MODULE service
#include <boost/test/unit_test.hpp>

#include "tests/integration/sync_polling/provider_fixture.hpp"
#include "tests/support/notify_socket.hpp"

#include <algorithm>
#include <csignal>

using namespace jobsync;
using namespace jobsync::test;
using namespace std::chrono_literals;

namespace {

bool any_contains(const std::vector<std::string>& xs, const std::string& s) {
  return std::any_of(xs.begin(), xs.end(), [&](const std::string& x) {
    return x.find(s) != std::string::npos;
  });
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(systemd_notify, provider_fixture)

// jobsyncd under `Type=notify`: READY=1 only once /readyz answers 200 (here
// the first poll is held back by provider failures), status lines on the
// way, watchdog pings at half of WATCHDOG_USEC, STOPPING=1 on SIGTERM.
BOOST_AUTO_TEST_CASE(ready_follows_readiness_then_pings_then_stopping) {
  // An active job in the store, so the first poll has work to do: found
  // by a discovery of a jobsyncd run without background polling.
  auto ids = seed(R"({"status":"processing"})");
  start_quiet();
  BOOST_REQUIRE_EQUAL(api("POST", "/api/cloud/jobs/sync").status, 200);
  BOOST_REQUIRE_EQUAL(status_of(ids[0]), "running");
  BOOST_REQUIRE_EQUAL(server->stop(), 0);

  // Every provider request fails, and a cycle may retry for its whole
  // (long) interval: the first poll cannot end while the fault stays.
  fault(R"({"endpoint":"*","kind":"status","status":503})");
  notify_socket sock{dir.path() + "/notify.sock"};
  start({"--set", "background.job_status_polling.interval_seconds=600"},
        {{"NOTIFY_SOCKET", sock.path()}, {"WATCHDOG_USEC", "1000000"}});
  auto starting = sock.wait_for("STATUS=Starting: ", 30s);
  BOOST_REQUIRE_MESSAGE(starting, server->process().output());
  BOOST_TEST(api("GET", "/readyz").status == 503);
  BOOST_TEST(!any_contains(sock.received, "READY=1"));
  // Not ready, but alive: the watchdog is fed all the same.
  BOOST_TEST(sock.wait_for("WATCHDOG=1", 10s).has_value());
  BOOST_TEST(!any_contains(sock.received, "READY=1"));

  clear_faults();
  BOOST_REQUIRE_MESSAGE(sock.wait_for("READY=1", 30s),
                        server->process().output());
  BOOST_TEST(api("GET", "/readyz").status == 200);
  BOOST_TEST(any_contains(sock.received, "STATUS=Serving on 127.0.0.1:"));
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(sock.wait_for("WATCHDOG=1", 10s).has_value());

  server->process().signal(SIGTERM);
  BOOST_TEST(sock.wait_for("STOPPING=1", 30s).has_value());
  BOOST_TEST(server->stop() == 0);
}

BOOST_AUTO_TEST_CASE(without_notify_socket_nothing_is_reported) {
  start();
  BOOST_TEST(eventually([&] { return api("GET", "/readyz").status == 200; }));
  BOOST_TEST(server->process().output().find("reporting to systemd")
             == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
