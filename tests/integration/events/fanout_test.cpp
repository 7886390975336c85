#include "tests/integration/events/events_fixture.hpp"

#include <chrono>

using namespace jobsync;
using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(event_fanout, events_fixture)

BOOST_AUTO_TEST_CASE(
    a_thousand_subscribers_each_receive_every_event_of_a_burst_in_order) {
  constexpr size_t subscribers = 1000;
  constexpr size_t burst = 100;
  start({"events.max_connections_per_address=1001"});
  auto ids = seed(burst);
  // Discoveries 1..100 reach the hub before the thousand subscribe.
  auto observer = subscribe();
  BOOST_TEST(sync() == burst);
  BOOST_REQUIRE(observer->wait_events(burst));

  auto crowd = open_streams(port(), "/api/events", subscribers);
  const auto& all = crowd.all;
  BOOST_REQUIRE(wait_subscribed(all));
  for (auto* s : all)
    BOOST_REQUIRE(s->status() == 200);

  // The burst: 100 queued -> running changes committed together.
  for (const auto& id : ids)
    advance(id, "processing");
  auto started = std::chrono::steady_clock::now();
  BOOST_TEST(refresh() == burst);
  BOOST_REQUIRE(wait_all(all, [&] {
    for (auto* s : all)
      if (s->events().size() < burst)
        return false;
    return true;
  }));
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE(
      subscribers
      << " subscribers got " << burst << " events each within "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms of the refresh response");

  auto expected = id_range(burst + 1, 2 * burst);
  auto reference = data_frames(all.front()->body());
  for (auto* s : all) {
    BOOST_TEST(ids_seen(*s) == expected);
    BOOST_TEST(data_frames(s->body()) == reference);
  }
  for (const auto& e : all.front()->events()) {
    auto c = parse_change(e);
    BOOST_TEST(c.status == "running");
    BOOST_TEST(c.previous_status == "queued");
  }

  // And a single change after the burst (a figure, not an assertion).
  advance(ids.front(), "succeeded");
  started = std::chrono::steady_clock::now();
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(wait_all(all, [&] {
    for (auto* s : all)
      if (s->events().size() < burst + 1)
        return false;
    return true;
  }));
  took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE(
      "one change reached "
      << subscribers << " subscribers within "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms of the refresh response");
  for (auto* s : all)
    BOOST_TEST(ids_seen(*s).back() == 2 * burst + 1);
}

BOOST_AUTO_TEST_SUITE_END()
