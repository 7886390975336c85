#include "actors/overview.hpp"

#include "actors/reader.hpp"
#include "actors/registry.hpp"
#include "tests/support/test_jobs.hpp"
#include "tests/unit/actors/actor_fixture.hpp"

using namespace jobsync;

namespace {

// A poller seen through its interface that answers its status (or fails).
caf::behavior status_poller(std::shared_ptr<std::optional<poller_status>> s) {
  return {
      [s](status_atom) -> caf::result<poller_status> {
        if (!*s)
          return make_error(errc::unavailable, "restarting");
        return **s;
      },
  };
}

struct overview_fixture : test::actor_fixture {
  registry_actor registry;
  reader_actor reader;
  std::map<std::string, std::shared_ptr<std::optional<poller_status>>> states;
  std::map<std::string, watched_poller> pollers;
  overview_actor overview;

  overview_fixture() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(),
                   app::registry_config_of(test::default_settings()), sink));
    reader = track(sys->spawn(jobsync::reader, store.get()));
    sched->run();
  }

  void add(const std::string& name, bool polling, bool first_cycle_done) {
    poller_status s;
    s.provider = name;
    s.first_cycle_done = first_cycle_done;
    states[name] = std::make_shared<std::optional<poller_status>>(s);
    auto p = caf::actor_cast<poller_actor>(
        track(sys->spawn(status_poller, states[name])));
    pollers[name] = watched_poller{p, polling};
  }

  void start() {
    overview = track(sys->spawn(jobsync::overview, registry, reader, pollers,
                                std::vector<poller_status_actor>{}));
    sched->run();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(overview_suite, overview_fixture)

BOOST_AUTO_TEST_CASE(
    readiness_waits_for_the_first_cycle_of_each_polling_poller) {
  add("a", true, false);
  // Not polling (webhooks feed it): readiness does not wait for it.
  add("b", false, false);
  start();
  auto r = ask<readiness>(overview, ready_atom::value);
  BOOST_TEST(!r.ready);
  BOOST_TEST(r.reason == "the first poll of a has not finished yet");
  (*states["a"])->first_cycle_done = true;
  BOOST_TEST(ask<readiness>(overview, ready_atom::value).ready);
  // A poller that does not answer is not ready.
  states["a"]->reset();
  r = ask<readiness>(overview, ready_atom::value);
  BOOST_TEST(!r.ready);
  BOOST_TEST(r.reason == "a poller is not running");
}

BOOST_AUTO_TEST_CASE(figures_leave_out_a_poller_that_does_not_answer) {
  add("a", true, true);
  add("b", true, true);
  ask<apply_summary>(registry, put_atom::value,
                     test::make_job("j1", job_status::running, 0, "a"));
  start();
  auto f = ask<server_figures>(overview, metrics_atom::value);
  BOOST_TEST(f.pollers.size() == 2u);
  BOOST_TEST(!f.jobs.empty());
  states["b"]->reset();
  f = ask<server_figures>(overview, metrics_atom::value);
  BOOST_REQUIRE(f.pollers.size() == 1u);
  BOOST_TEST(f.pollers[0].provider == "a");
  // The pollers' state is all or nothing.
  auto failed
      = ask_fails<std::vector<poller_status>>(overview, status_atom::value);
  BOOST_TEST((failed.code == errc::unavailable));
}

BOOST_AUTO_TEST_CASE(a_restarted_poller_is_asked_instead_of_the_old_one) {
  add("a", true, false);
  start();
  auto fresh = std::make_shared<std::optional<poller_status>>(poller_status{});
  (*fresh)->provider = "a";
  (*fresh)->first_cycle_done = true;
  auto replacement
      = caf::actor_cast<poller_actor>(track(sys->spawn(status_poller, fresh)));
  caf::anon_send(overview, put_atom::value, provider_name{"a"}, replacement);
  sched->run();
  BOOST_TEST(ask<readiness>(overview, ready_atom::value).ready);
}

BOOST_AUTO_TEST_SUITE_END()
