#include "tests/integration/events/events_fixture.hpp"
#include "tests/support/raw_connection.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

// One response of a connection that carries several: its head and its
// decoded chunked body; `complete` once the final chunk has arrived.
struct chunked_response {
  std::string head;
  std::string body;
  bool complete = false;
};

// Splits the bytes of pipelined chunked responses into responses, decoding
// each body; a malformed body fails the test.
std::vector<chunked_response> split_responses(const std::string& bytes) {
  std::vector<chunked_response> out;
  size_t at = 0;
  while (at < bytes.size()) {
    auto head_end = bytes.find("\r\n\r\n", at);
    if (head_end == std::string::npos)
      break;
    chunked_response r;
    r.head = bytes.substr(at, head_end + 4 - at);
    at = head_end + 4;
    chunked_decoder decoder;
    // Byte by byte, so the decoder stops exactly at the final chunk's end.
    while (at < bytes.size() && !decoder.finished()) {
      BOOST_REQUIRE_MESSAGE(decoder.feed({bytes.data() + at, 1}, r.body),
                            "malformed chunk at byte " << at);
      ++at;
    }
    r.complete = decoder.finished();
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(event_pipelining, events_fixture)

// Both requests arrive in one read, so the second stream opens while the
// first is under way: its bytes must wait behind the first response whole,
// although the first one's chunks go to the socket past RESTinio.
BOOST_AUTO_TEST_CASE(two_streams_pipelined_on_one_connection_stay_in_order) {
  start();
  raw_connection c{port()};
  BOOST_REQUIRE(c.send("GET /api/events HTTP/1.1\r\nHost: test\r\n\r\n"
                       "GET /api/events HTTP/1.1\r\nHost: test\r\n\r\n"));
  BOOST_REQUIRE(c.read_until("retry: "));
  auto ids = seed(2);
  BOOST_TEST(sync() == 2u);
  advance(ids[0], "processing");
  BOOST_TEST(refresh() == 1u);
  // Three events on the first stream (two discoveries, one change).
  BOOST_REQUIRE(c.read_until("\"status\":\"running\""));
  // The server ends both streams as it stops; the second response follows
  // the first's final chunk.
  BOOST_TEST(server->stop() == 0);
  BOOST_REQUIRE(c.wait_closed());
  auto responses = split_responses(c.received());
  BOOST_REQUIRE_EQUAL(responses.size(), 2u);
  for (const auto& r : responses) {
    BOOST_TEST(r.head.rfind("HTTP/1.1 200", 0) == 0, r.head);
    BOOST_TEST(r.complete);
    // Each stream has its connect frame and the three events, in order.
    sse_parser parsed;
    parsed.feed(r.body);
    BOOST_REQUIRE_EQUAL(parsed.events.size(), 3u);
    for (size_t i = 0; i < 3; ++i)
      BOOST_TEST(parse_change(parsed.events[i]).id == i + 1);
  }
}

BOOST_AUTO_TEST_SUITE_END()
