// Clients that hold a connection without completing a request: one that
// trickles its headers a byte at a time and one that sends nothing are
// closed after server.request_timeout_seconds (3 s here), long before
// RESTinio's own default of 60 s; complete requests are still answered.

#include "tests/integration/http_api/api_fixture.hpp"
#include "tests/support/raw_connection.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

// Long enough that the old fixed 60 s limit cannot close the connection
// within it, short enough to fail quickly.
constexpr auto well_past_the_timeout = std::chrono::seconds(40);

std::vector<std::string> short_timeout() {
  // The heartbeat (1 s) and the sync_active deadline (2 s) of
  // config/test.yaml must stay below the request timeout.
  return {"--set", "server.request_timeout_seconds=3", "--set",
          "providers.replicate.enabled=false"};
}

} // namespace

BOOST_AUTO_TEST_SUITE(slow_clients)

BOOST_AUTO_TEST_CASE(a_client_trickling_its_headers_is_closed_at_the_timeout) {
  temp_dir dir;
  jobsyncd server{dir.path(), short_timeout()};
  raw_connection slow{server.port()};
  BOOST_REQUIRE(slow.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  // One byte of a never-ending header every 100 ms, until the server
  // hangs up (a send fails or the server's close is read).
  auto deadline = std::chrono::steady_clock::now() + well_past_the_timeout;
  bool closed = false;
  for (size_t i = 0; std::chrono::steady_clock::now() < deadline; ++i) {
    if (!slow.send(std::string(1, 'a' + static_cast<char>(i % 26)))
        || slow.wait_closed(std::chrono::milliseconds(100))) {
      closed = true;
      break;
    }
  }
  BOOST_TEST(closed, "the connection was still open after 40 s");
  BOOST_TEST(slow.status() == 0, "no answer to a request never completed");
  // Others are served meanwhile and after.
  BOOST_TEST(http_get(server.url("/healthz")).status == 200);
}

BOOST_AUTO_TEST_CASE(a_client_that_sends_nothing_is_closed_at_the_timeout) {
  temp_dir dir;
  jobsyncd server{dir.path(), short_timeout()};
  raw_connection idle{server.port()};
  BOOST_TEST(idle.wait_closed(well_past_the_timeout));
  // A kept-alive connection that went quiet after an answer goes the same
  // way.
  raw_connection kept{server.port()};
  BOOST_REQUIRE(kept.send_get("/healthz"));
  BOOST_REQUIRE(kept.read_until("\"status\""));
  BOOST_TEST(kept.status() == 200);
  BOOST_TEST(kept.wait_closed(well_past_the_timeout));
}

BOOST_AUTO_TEST_SUITE_END()
