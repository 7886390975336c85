#include "model/replay_ring.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

namespace {

retained_event ev(uint64_t id) {
  return {id, "job-" + std::to_string(id), "replicate",
          std::make_shared<const std::string>("frame " + std::to_string(id))};
}

std::vector<uint64_t> replayed(const replay_ring& r, std::string_view last) {
  auto p = r.plan(last);
  BOOST_REQUIRE(!p.resync);
  std::vector<uint64_t> ids;
  for (auto i = p.first; i < r.size(); ++i)
    ids.push_back(r.at(i).id);
  return ids;
}

using ids = std::vector<uint64_t>;

} // namespace

BOOST_AUTO_TEST_SUITE(replay_ring_suite)

BOOST_AUTO_TEST_CASE(a_resume_gets_exactly_the_events_after_its_id) {
  replay_ring r{10, 0};
  for (uint64_t i = 1; i <= 5; ++i)
    BOOST_REQUIRE(r.push(ev(i)));
  BOOST_TEST(replayed(r, "0") == (ids{1, 2, 3, 4, 5}));
  BOOST_TEST(replayed(r, "3") == (ids{4, 5}));
  BOOST_TEST(replayed(r, "5").empty());
}

BOOST_AUTO_TEST_CASE(forgetting_the_oldest_event_moves_the_floor) {
  replay_ring r{3, 0};
  for (uint64_t i = 1; i <= 6; ++i)
    r.push(ev(i));
  BOOST_TEST(r.size() == 3u);
  BOOST_TEST(r.floor() == 3u);
  BOOST_TEST(r.newest() == 6u);
  // At the floor every later event is still here; below it one is gone.
  BOOST_TEST(replayed(r, "3") == (ids{4, 5, 6}));
  BOOST_TEST(r.plan("2").resync);
  BOOST_TEST(r.plan("0").resync);
}

BOOST_AUTO_TEST_CASE(ids_it_cannot_place_need_a_resync) {
  replay_ring r{10, 0};
  r.push(ev(1));
  BOOST_TEST(r.plan("2").resync);
  BOOST_TEST(r.plan("abc").resync);
  BOOST_TEST(r.plan("-1").resync);
  BOOST_TEST(r.plan("1.0").resync);
}

BOOST_AUTO_TEST_CASE(a_ring_after_a_restart_serves_the_last_id_before_it) {
  replay_ring r{10, 40};
  BOOST_TEST(r.newest() == 40u);
  BOOST_TEST(replayed(r, "40").empty());
  BOOST_TEST(r.plan("39").resync);
  BOOST_TEST(r.plan("41").resync);
  r.push(ev(41));
  BOOST_TEST(replayed(r, "40") == (ids{41}));
}

BOOST_AUTO_TEST_CASE(ids_must_grow) {
  replay_ring r{10, 5};
  BOOST_TEST(!r.push(ev(5)));
  BOOST_TEST(!r.push(ev(3)));
  BOOST_TEST(r.push(ev(6)));
  BOOST_TEST(!r.push(ev(6)));
  BOOST_TEST(r.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_gap_in_ids_replays_what_exists) {
  replay_ring r{10, 0};
  r.push(ev(1));
  r.push(ev(4));
  BOOST_TEST(replayed(r, "2") == (ids{4}));
}

BOOST_AUTO_TEST_CASE(a_ring_keeps_at_least_one_event) {
  replay_ring r{0, 0};
  r.push(ev(1));
  r.push(ev(2));
  BOOST_TEST(r.capacity() == 1u);
  BOOST_TEST(replayed(r, "1") == (ids{2}));
  BOOST_TEST(r.plan("0").resync);
}

BOOST_AUTO_TEST_SUITE_END()
