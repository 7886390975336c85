#include "tests/integration/events/events_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(event_limits, events_fixture)

BOOST_AUTO_TEST_CASE(the_sixth_connection_from_one_address_gets_503) {
  start();
  std::vector<std::unique_ptr<sse_stream>> open;
  for (int i = 0; i < 5; ++i)
    open.push_back(subscribe());
  auto sixth = std::make_unique<sse_stream>(port(), "/api/events");
  BOOST_REQUIRE(sixth->wait_head());
  BOOST_TEST(sixth->status() == 503);
  BOOST_TEST(sixth->header("content-type")->find("application/json")
             != std::string::npos);
  BOOST_REQUIRE(sixth->wait_for([&] { return sixth->ended(); }));
  http_response r;
  r.status = sixth->status();
  r.body = sixth->body();
  r.headers["content-type"] = *sixth->header("content-type");
  check_error(r, 503, "unavailable", "127.0.0.1");

  // A closed stream frees its place at once (the connection-state
  // listener tells the hub); only the outside can observe when.
  open.front()->close();
  BOOST_TEST(eventually([&] {
    sse_stream again{port(), "/api/events"};
    return again.wait_head() && again.status() == 200;
  }));
}

BOOST_AUTO_TEST_CASE(
    a_subscriber_that_stops_reading_is_dropped_while_another_keeps_receiving) {
  // A stalled client must first fill its kernel buffers (megabytes on
  // loopback) before the server owes it anything; events come in rounds
  // of discoveries until the hub reports the drop.
  start({"events.max_buffered_bytes=65536", "storage.map_size_mb=2048",
         "providers.replicate.sync_limit=100000",
         "providers.replicate.requests_per_minute=1000000"});
  sse_stream::options small;
  small.receive_buffer = 4096;
  auto stalled = std::make_unique<sse_stream>(port(), "/api/events", small);
  BOOST_REQUIRE(stalled->wait_head());
  BOOST_REQUIRE(stalled->status() == 200);
  auto reader = subscribe();

  const std::string needle = "dropped a slow subscriber";
  uint64_t last_id = 0;
  bool dropped = false;
  for (int round = 0; round < 30 && !dropped; ++round) {
    seed(5000);
    last_id += sync();
    // The reader gets every event of the round while the other stalls.
    BOOST_REQUIRE_MESSAGE(
        reader->wait_events(last_id, std::chrono::seconds(60)),
        "round " << round << ": " << reader->events().size() << " of "
                 << last_id << " events");
    // The drop happens at the next write to the stalled stream: the next
    // heartbeat (1 s) or the next round.
    dropped = server->process()
                  .wait_for_line(needle, std::chrono::seconds(3))
                  .has_value();
  }
  BOOST_REQUIRE_MESSAGE(dropped, "the stalled subscriber was never dropped");
  BOOST_TEST_MESSAGE("dropped after " << last_id << " events");

  // The reader still gets what comes next.
  auto ids = seed(1);
  BOOST_TEST(sync() == 1u);
  ++last_id;
  BOOST_REQUIRE(reader->wait_events(last_id));
  BOOST_TEST(ids_seen(*reader).back() == last_id);
  BOOST_TEST(reader->events().size() == last_id);

  // When the stalled client reads again, its stream ends before the event
  // it was dropped for.
  BOOST_REQUIRE(
      stalled->wait_for([&] { return stalled->ended() || stalled->closed(); },
                        std::chrono::seconds(60)));
  BOOST_TEST(stalled->events().size() < last_id);
  if (!stalled->events().empty())
    BOOST_TEST(ids_seen(*stalled).back() < last_id);
}

BOOST_AUTO_TEST_SUITE_END()
