#include "tests/integration/events/events_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(event_restart, events_fixture)

BOOST_AUTO_TEST_CASE(shutdown_ends_every_stream_cleanly) {
  start();
  auto a = subscribe();
  auto b = subscribe("/api/events?job_id=x");
  BOOST_TEST(server->stop() == 0);
  BOOST_REQUIRE(
      wait_all({a.get(), b.get()}, [&] { return a->ended() && b->ended(); }));
  // The final chunk, not a cut connection.
  BOOST_TEST(a->ended());
  BOOST_TEST(b->ended());
}

BOOST_AUTO_TEST_CASE(after_a_restart_ids_continue_above_the_last_one) {
  start();
  auto ids = seed(2);
  BOOST_TEST(sync() == 2u);
  BOOST_TEST(server->stop() == 0);

  start();
  // A first connect learns the id the store had committed.
  auto fresh = subscribe();
  BOOST_TEST(fresh->body().rfind("retry: 100\nid: 2\n\n", 0) == 0,
             fresh->body());
  // A client that saw the last event before the restart missed nothing.
  auto resumed = subscribe("/api/events", {{"Last-Event-ID", "2"}});
  BOOST_TEST(resumed->body().rfind("retry: 100\n\n", 0) == 0);
  BOOST_TEST(resumed->events().empty());
  // One that saw less cannot be served from the new, empty ring.
  auto behind = subscribe("/api/events", {{"Last-Event-ID", "1"}});
  BOOST_REQUIRE(behind->wait_events(1));
  BOOST_TEST(behind->events()[0].data == "{\"type\":\"resync_required\"}");

  advance(ids[0], "processing");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(wait_all({fresh.get(), resumed.get()}, [&] {
    return fresh->events().size() >= 1 && resumed->events().size() >= 1;
  }));
  BOOST_TEST(parse_change(fresh->events()[0]).id == 3u);
  BOOST_TEST(ids_seen(*resumed) == (std::vector<uint64_t>{3}));
}

BOOST_AUTO_TEST_SUITE_END()
