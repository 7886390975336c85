#include "actors/supervisor.hpp"

#include "tests/unit/actors/actor_fixture.hpp"

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

// A poller that does nothing but exist (seen through the poller interface:
// the supervisor only watches it).
caf::behavior idle_poller() {
  return {[](status_atom) { return poller_status{}; }};
}

struct supervisor_fixture : test::actor_fixture {
  // The replacements announced, as wiring's start_again announces them.
  std::vector<poller_actor> announced;
  std::vector<poller_actor> spawned;
  supervisor_actor supervisor;

  poller_actor spawn_poller() {
    auto p = caf::actor_cast<poller_actor>(sys->spawn(idle_poller));
    spawned.push_back(p);
    return p;
  }

  void start() {
    auto first = spawn_poller();
    std::map<std::string, supervised> watched;
    watched["poller of fake"]
        = supervised{caf::actor_cast<caf::actor>(first), [this] {
                       auto replacement = spawn_poller();
                       announced.push_back(replacement);
                       return caf::actor_cast<caf::actor>(replacement);
                     }};
    supervisor = track(sys->spawn(jobsync::supervisor, std::move(watched)));
    sched->run();
  }

  void crash(const poller_actor& p) {
    caf::anon_send_exit(p, caf::exit_reason::kill);
    sched->run();
  }

  // Whether the actor still runs (it answers).
  bool alive(const poller_actor& p) {
    auto slot = send_request<poller_status>(p, status_atom::value);
    sched->run();
    return slot->has_value() && std::holds_alternative<poller_status>(**slot);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(supervisor_suite, supervisor_fixture)

BOOST_AUTO_TEST_CASE(restarts_wait_longer_each_time_up_to_a_minute) {
  std::vector<int64_t> delays;
  for (uint32_t n = 1; n <= 9; ++n)
    delays.push_back(supervisor_state::restart_delay(n).count());
  BOOST_TEST(delays == (std::vector<int64_t>{1, 2, 4, 8, 16, 32, 60, 60, 60}));
}

BOOST_AUTO_TEST_CASE(a_crashed_poller_is_started_again_and_announced) {
  start();
  crash(spawned.at(0));
  // The first restart waits a second.
  advance(999ms);
  BOOST_TEST(spawned.size() == 1u);
  BOOST_TEST(announced.empty());
  advance(1ms);
  BOOST_REQUIRE(spawned.size() == 2u);
  BOOST_REQUIRE(announced.size() == 1u);
  BOOST_TEST((announced.at(0) == spawned.at(1)));
  BOOST_TEST(alive(spawned.at(1)));
  // The replacement is watched too; its restart waits twice as long.
  crash(spawned.at(1));
  advance(1s);
  BOOST_TEST(spawned.size() == 2u);
  advance(1s);
  BOOST_TEST(spawned.size() == 3u);
  BOOST_TEST(announced.size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_pollers_stop_with_the_supervisor) {
  start();
  crash(spawned.at(0));
  advance(1s);
  BOOST_REQUIRE(spawned.size() == 2u);
  caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
  sched->run();
  BOOST_TEST(!alive(spawned.at(1)));
  // Nothing is restarted after the shutdown.
  advance(2min);
  BOOST_TEST(spawned.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
