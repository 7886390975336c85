#include "tests/integration/events/events_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

const std::string resync_data = "{\"type\":\"resync_required\"}";

} // namespace

BOOST_FIXTURE_TEST_SUITE(event_resume, events_fixture)

BOOST_AUTO_TEST_CASE(
    resume_with_last_event_id_returns_exactly_the_missed_events) {
  start();
  auto observer = subscribe();
  auto ids = seed(3);
  auto leaving = subscribe();
  BOOST_TEST(sync() == 3u);
  BOOST_REQUIRE(leaving->wait_events(3));
  BOOST_TEST(leaving->parsed().last_event_id == "3");
  leaving->close();

  // Missed while away: 4 and 5.
  advance(ids[0], "processing");
  advance(ids[1], "processing");
  BOOST_TEST(refresh() == 2u);
  BOOST_REQUIRE(observer->wait_events(5));

  auto back = subscribe("/api/events", {{"Last-Event-ID", "3"}});
  // A resume carries no id of its own on connect: the replay does.
  BOOST_TEST(back->body().rfind("retry: 100\n\n", 0) == 0, back->body());
  BOOST_REQUIRE(back->wait_events(2));
  BOOST_TEST(ids_seen(*back) == (std::vector<uint64_t>{4, 5}));

  // Then live, with nothing twice and nothing missing in between.
  advance(ids[2], "processing");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(wait_all({back.get(), observer.get()}, [&] {
    return back->events().size() >= 3 && observer->events().size() >= 6;
  }));
  BOOST_TEST(ids_seen(*back) == (std::vector<uint64_t>{4, 5, 6}));
  // Byte for byte what the subscriber that never left got.
  auto all = data_frames(observer->body());
  BOOST_TEST(data_frames(back->body())
             == std::vector<std::string>(all.begin() + 3, all.end()));
}

BOOST_AUTO_TEST_CASE(the_query_parameter_resumes_when_no_header_is_sent) {
  start();
  // The sync answers once the changes are stored; the hub hears of them a
  // moment later. A client only ever holds ids it was sent, so the test
  // waits until a subscriber was sent them too.
  auto observer = subscribe();
  seed(4);
  BOOST_TEST(sync() == 4u);
  BOOST_REQUIRE(observer->wait_events(4));
  auto s = subscribe("/api/events?lastEventId=2");
  BOOST_REQUIRE(s->wait_events(2));
  BOOST_TEST(ids_seen(*s) == (std::vector<uint64_t>{3, 4}));
  // EventSource reconnects with the header and the URL it first used: the
  // header is newer and wins.
  auto h = subscribe("/api/events?lastEventId=1", {{"Last-Event-ID", "3"}});
  BOOST_REQUIRE(h->wait_events(1));
  BOOST_TEST(ids_seen(*h) == (std::vector<uint64_t>{4}));
}

BOOST_AUTO_TEST_CASE(an_id_older_than_the_ring_gets_resync_required) {
  start({"events.replay_buffer=3"});
  auto observer = subscribe();
  auto ids = seed(6);
  BOOST_TEST(sync() == 6u);
  BOOST_REQUIRE(observer->wait_events(6));
  // The ring holds 4, 5, 6: a client that saw 3 misses nothing it lacks.
  auto edge = subscribe("/api/events", {{"Last-Event-ID", "3"}});
  BOOST_REQUIRE(edge->wait_events(3));
  BOOST_TEST(ids_seen(*edge) == (std::vector<uint64_t>{4, 5, 6}));

  auto old = subscribe("/api/events", {{"Last-Event-ID", "2"}});
  BOOST_REQUIRE(old->wait_events(1));
  BOOST_TEST(old->events()[0].data == resync_data);
  // The resync frame moves the client to the present...
  BOOST_TEST(old->events()[0].id == "6");
  // ...and live events follow it.
  advance(ids[0], "processing");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(old->wait_events(2));
  BOOST_TEST(parse_change(old->events()[1]).id == 7u);
  BOOST_TEST(old->events().size() == 2u);
}

BOOST_AUTO_TEST_CASE(ids_the_server_never_sent_get_resync_required) {
  start();
  auto observer = subscribe();
  seed(2);
  BOOST_TEST(sync() == 2u);
  BOOST_REQUIRE(observer->wait_events(2));
  for (std::string id : {"99", "banana", "-1"}) {
    auto s = subscribe("/api/events", {{"Last-Event-ID", id}});
    BOOST_REQUIRE_MESSAGE(s->wait_events(1), id);
    BOOST_TEST(s->events()[0].data == resync_data, id);
    BOOST_TEST(s->events()[0].id == "2");
  }
}

BOOST_AUTO_TEST_SUITE_END()
