// Clients that hang up every way TCP allows (FIN, half-close, reset) on
// event streams and on plain requests: afterwards the server answers at
// once, and its connection counts, per-address stream counts and open
// descriptors are back where they were.

#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"
#include "tests/support/metrics_text.hpp"
#include "tests/support/raw_connection.hpp"
#include "tests/support/sse_client.hpp"

#include <boost/test/unit_test.hpp>

#include <map>

using namespace jobsync;
using namespace jobsync::test;

namespace {

std::string metrics_of(const jobsyncd& server) {
  auto r = http_get(server.url("/metrics"));
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  return r.body;
}

// The figures that must come back to where they were.
struct baseline {
  double connections = 0;
  double streams = 0;
  double stream_addresses = 0;
  double descriptors = 0;

  static baseline of(const std::string& text) {
    baseline b;
    auto get = [&](const char* series) {
      auto v = metric_value(text, series);
      BOOST_REQUIRE_MESSAGE(v.has_value(), series << " missing:\n" << text);
      return *v;
    };
    b.connections = get("jobsync_http_connections_open");
    b.streams = get("jobsync_event_streams_open");
    b.stream_addresses = get("jobsync_event_stream_addresses");
    b.descriptors = get("process_open_fds");
    return b;
  }

  bool operator==(const baseline& o) const {
    return connections == o.connections && streams == o.streams
           && stream_addresses == o.stream_addresses
           && descriptors == o.descriptors;
  }
};

std::ostream& operator<<(std::ostream& out, const baseline& b) {
  return out << "{connections " << b.connections << ", streams " << b.streams
             << ", stream addresses " << b.stream_addresses << ", descriptors "
             << b.descriptors << "}";
}

constexpr int per_address_limit = 64;

jobsyncd quiet_server(const temp_dir& dir) {
  // No provider: nothing else opens or closes descriptors meanwhile.
  return jobsyncd{dir.path(),
                  {"--set", "providers.replicate.enabled=false", "--set",
                   "events.max_connections_per_address="
                       + std::to_string(per_address_limit)}};
}

// Everything a client needs answers now: the probe, a new event stream
// and an API request, each within the test's deadline.
void check_answering(const jobsyncd& server) {
  BOOST_TEST(http_get(server.url("/healthz")).status == 200);
  BOOST_TEST(http_get(server.url("/api/cloud/jobs")).status == 200);
  sse_stream s{server.port(), "/api/events"};
  BOOST_REQUIRE(s.wait_head());
  BOOST_TEST(s.status() == 200);
}

bool back_to(const jobsyncd& server, const baseline& before) {
  return baseline::of(metrics_of(server)) == before;
}

// The figures of the server at rest: no stream open and no connection but
// the scrape's own (the closes of earlier clients are processed a moment
// after the clients are gone, so this is awaited).
baseline at_rest(const jobsyncd& server) {
  baseline b;
  BOOST_REQUIRE(eventually([&] {
    b = baseline::of(metrics_of(server));
    return b.connections == 1 && b.streams == 0 && b.stream_addresses == 0;
  }));
  return b;
}

} // namespace

BOOST_AUTO_TEST_SUITE(client_hang_ups)

BOOST_AUTO_TEST_CASE(a_thousand_streams_ended_each_way_leave_nothing_behind) {
  temp_dir dir;
  auto server = quiet_server(dir);
  check_answering(server);
  auto before = at_rest(server);

  for (auto how : {hang_up::reset, hang_up::fin, hang_up::half_close}) {
    std::map<int, int> statuses;
    for (int i = 0; i < 1000; ++i) {
      raw_connection c{server.port()};
      BOOST_REQUIRE(c.send_get("/api/events"));
      // Only the head: the server is still writing the stream's first
      // frame when the client hangs up, as in the field.
      BOOST_REQUIRE_MESSAGE(c.read_until("\r\n\r\n"),
                            name_of(how)
                                << " #" << i << ": no answer from the server");
      ++statuses[c.status()];
      c.end(how);
    }
    BOOST_TEST_MESSAGE(name_of(how)
                       << ": " << statuses[200] << " streams opened");
    BOOST_TEST(statuses[200] == 1000, name_of(how) << ": " << statuses[200]);
    check_answering(server);
    BOOST_TEST(eventually([&] { return back_to(server, before); }),
               name_of(how) << ": " << baseline::of(metrics_of(server))
                            << ", before " << before);
  }
}

BOOST_AUTO_TEST_CASE(requests_and_streams_ended_in_a_mix_leave_nothing_behind) {
  temp_dir dir;
  auto server = quiet_server(dir);
  check_answering(server);
  auto before = at_rest(server);
  const hang_up ways[] = {hang_up::reset, hang_up::fin, hang_up::half_close};
  const char* targets[] = {"/api/events", "/healthz", "/api/cloud/jobs",
                           "/api/cloud/jobs/unknown"};
  for (int i = 0; i < 1200; ++i) {
    raw_connection c{server.port()};
    BOOST_REQUIRE(c.send_get(targets[i % 4]));
    // Every other round hangs up before the answer is read: the server
    // then answers, or opens a stream, on a connection that is gone
    // (a stream's close may even reach the hub before its subscription).
    if ((i / 4) % 2 == 0)
      BOOST_REQUIRE(c.read_until("\r\n\r\n"));
    c.end(ways[(i / 4) % 3]);
  }
  check_answering(server);
  BOOST_TEST(eventually([&] { return back_to(server, before); }),
             baseline::of(metrics_of(server)) << ", before " << before);
  // Every place per address is free again: as many streams as the limit
  // allows open at once.
  std::vector<std::unique_ptr<sse_stream>> open;
  for (int i = 0; i < per_address_limit; ++i) {
    open.push_back(std::make_unique<sse_stream>(server.port(), "/api/events"));
    BOOST_REQUIRE(open.back()->wait_head());
    BOOST_TEST(open.back()->status() == 200);
  }
}

BOOST_AUTO_TEST_SUITE_END()
