#include "actors/overview.hpp"

#include "actors/reader.hpp"
#include "actors/registry.hpp"
#include "tests/support/test_jobs.hpp"
#include "tests/unit/actors/actor_fixture.hpp"

using namespace jobsync;

namespace {

using preferences_seen = std::shared_ptr<std::vector<polling_preference>>;

// A poller seen through its interface that answers its status (or fails),
// whether the provider takes its token (valid unless told otherwise), and
// takes a polling preference (noting it).
caf::behavior status_poller(std::shared_ptr<std::optional<poller_status>> s,
                            std::shared_ptr<std::optional<validation>> v,
                            preferences_seen seen) {
  return {
      [s](status_atom) -> caf::result<poller_status> {
        if (!*s)
          return make_error(errc::unavailable, "restarting");
        return **s;
      },
      [s, seen](polling_atom,
                const polling_preference& p) -> caf::result<poller_status> {
        seen->push_back(p);
        if (!*s)
          return make_error(errc::unavailable, "restarting");
        (*s)->enabled = p.enabled.value_or(false);
        (*s)->preference = p.enabled;
        return **s;
      },
      [v](validate_atom) -> caf::result<validation> {
        if (!*v)
          return make_error(errc::provider_error, "the provider said 503");
        return **v;
      },
  };
}

// A poller that holds its status answers until it gets "go", so that they
// arrive after the others'.
caf::behavior late_status(caf::event_based_actor* self, std::string name) {
  auto held = std::make_shared<std::vector<caf::response_promise>>();
  return {
      [=](status_atom) {
        held->push_back(self->make_response_promise());
        return held->back();
      },
      [=](const std::string&) {
        poller_status s;
        s.provider = name;
        for (auto& p : *held)
          p.deliver(s);
        held->clear();
      },
  };
}

// A registry that only reports its health.
caf::behavior health_registry(registry_health h) {
  return {[h](health_atom) { return h; }};
}

// The report's components by name.
std::map<std::string, health_component> by_name(const health_report& r) {
  std::map<std::string, health_component> out;
  for (const auto& c : r.components)
    out[c.name] = c;
  return out;
}

struct overview_fixture : test::actor_fixture {
  registry_actor registry;
  reader_actor reader;
  std::map<std::string, std::shared_ptr<std::optional<poller_status>>> states;
  std::map<std::string, std::shared_ptr<std::optional<validation>>> tokens;
  std::map<std::string, watched_poller> pollers;
  std::map<std::string, preferences_seen> seen;
  polling_preferences stored_preferences;
  /// 0: a store of its own; positive: replicas share it.
  std::chrono::milliseconds reread{0};
  overview_actor overview;

  overview_fixture() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(),
                   app::registry_config_of(test::default_settings()), sink));
    reader = track(sys->spawn(jobsync::reader, store.get()));
    sched->run();
  }

  void add(const std::string& name, bool polling, bool settled) {
    poller_status s;
    s.provider = name;
    s.leadership = poll_leadership{true, "here"};
    s.first_cycle_done = settled;
    s.settled = settled;
    states[name] = std::make_shared<std::optional<poller_status>>(s);
    tokens[name] = std::make_shared<std::optional<validation>>(
        validation{true, "user-of-" + name, {}});
    seen[name] = std::make_shared<std::vector<polling_preference>>();
    auto p = caf::actor_cast<poller_actor>(track(
        sys->spawn(status_poller, states[name], tokens[name], seen[name])));
    pollers[name] = watched_poller{p, polling, {}};
  }

  // A provider jobsync has no token for (so no poller).
  void add_without_token(const std::string& name) {
    pollers[name] = watched_poller{{}, false, "set the token of " + name};
  }

  void start(std::map<std::string, poller_status_actor> checks = {}) {
    overview = track(sys->spawn(jobsync::overview, registry, reader, pollers,
                                std::move(checks), stored_preferences, reread));
    sched->run();
  }

  /// Stores a setting as another replica sharing the store would.
  void store_setting(const std::string& key, const std::string& value) {
    auto w = std::move(*store->begin_write());
    BOOST_REQUIRE(w->put_setting(key, value));
    BOOST_REQUIRE(w->commit());
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(overview_suite, overview_fixture)

BOOST_AUTO_TEST_CASE(the_status_lists_pollers_by_name_then_checks) {
  auto late = track(sys->spawn(late_status, std::string{"a"}));
  pollers["a"] = watched_poller{caf::actor_cast<poller_actor>(late), true, {}};
  add("b", true, true);
  poller_status check;
  check.provider = "local";
  auto check_state = std::make_shared<std::optional<poller_status>>(check);
  auto check_actor = track(sys->spawn(
      status_poller, check_state, std::make_shared<std::optional<validation>>(),
      std::make_shared<std::vector<polling_preference>>()));
  start({{"local", caf::actor_cast<poller_status_actor>(check_actor)}});
  auto slot
      = send_request<std::vector<poller_status>>(overview, status_atom::value);
  sched->run();
  // b and the check have answered; a has not.
  BOOST_REQUIRE(!slot->has_value());
  caf::anon_send(late, std::string{"go"});
  sched->run();
  BOOST_REQUIRE(slot->has_value());
  auto& all = std::get<std::vector<poller_status>>(**slot);
  std::vector<std::string> order;
  for (const auto& s : all)
    order.push_back(s.provider);
  BOOST_TEST(order == (std::vector<std::string>{"a", "b", "local"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(
    readiness_waits_for_the_first_cycle_of_each_polling_poller) {
  add("a", true, false);
  // Not polling (webhooks feed it): readiness does not wait for it.
  add("b", false, false);
  start();
  auto r = ask<readiness>(overview, ready_atom::value);
  BOOST_TEST(!r.ready);
  BOOST_TEST(r.reason == "the first poll of a has not finished yet");
  (*states["a"])->settled = true;
  BOOST_TEST(ask<readiness>(overview, ready_atom::value).ready);
  // A poller that does not answer is not ready.
  states["a"]->reset();
  r = ask<readiness>(overview, ready_atom::value);
  BOOST_TEST(!r.ready);
  BOOST_TEST(r.reason == "a poller is not running");
}

// Replicas sharing a database: one that has not learned who polls is not
// ready yet; one that learned another replica polls does not wait for a
// first cycle it will never run.
BOOST_AUTO_TEST_CASE(readiness_waits_to_learn_which_replica_polls) {
  add("a", true, false);
  (*states["a"])->leadership.reset();
  start();
  auto r = ask<readiness>(overview, ready_atom::value);
  BOOST_TEST(!r.ready);
  BOOST_TEST(r.reason
             == "this replica has not learned yet which replica "
                "polls a");
  (*states["a"])->leadership = poll_leadership{false, "B"};
  (*states["a"])->settled = true;
  BOOST_TEST(ask<readiness>(overview, ready_atom::value).ready);
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
  (*fresh)->settled = true;
  auto fresh_seen = std::make_shared<std::vector<polling_preference>>();
  auto replacement = caf::actor_cast<poller_actor>(track(sys->spawn(
      status_poller, fresh,
      std::make_shared<std::optional<validation>>(std::nullopt), fresh_seen)));
  caf::anon_send(overview, put_atom::value, provider_name{"a"}, replacement);
  sched->run();
  BOOST_TEST(ask<readiness>(overview, ready_atom::value).ready);
  // It gets the preference that applies to its provider.
  BOOST_REQUIRE(fresh_seen->size() == 1u);
  BOOST_TEST((fresh_seen->front() == polling_preference{}));
}

BOOST_AUTO_TEST_CASE(a_polling_setting_is_stored_then_handed_to_the_pollers) {
  add("a", true, true);
  add("b", true, true);
  stored_preferences.providers["b"] = {false, 20};
  start();
  auto out = ask<polling_setting_outcome>(overview, polling_atom::value,
                                          polling_setting{"", false, 40});
  BOOST_TEST((out.enabled == std::optional<bool>{false}));
  BOOST_TEST(!out.is_active);
  // Stored before the answer: the record for all, and b's own without
  // what the setting for all replaced.
  auto txn = store->begin_read();
  BOOST_TEST(**(*txn)->setting("polling/")
             == R"({"enabled":false,"interval_seconds":40})");
  BOOST_TEST(**(*txn)->setting("polling/b")
             == R"({"enabled":null,"interval_seconds":null})");
  BOOST_TEST(!*(*txn)->setting("polling/a"));
  BOOST_TEST((seen["a"]->back() == polling_preference{false, 40}));
  BOOST_TEST((seen["b"]->back() == polling_preference{false, 40}));
  // One provider back on: only it is active.
  out = ask<polling_setting_outcome>(overview, polling_atom::value,
                                     polling_setting{"b", true, std::nullopt});
  BOOST_TEST(out.is_active);
  BOOST_TEST((seen["a"]->back() == polling_preference{false, 40}));
  BOOST_TEST((seen["b"]->back() == polling_preference{true, 40}));
}

BOOST_AUTO_TEST_CASE(a_setting_stored_by_another_replica_reaches_the_pollers) {
  add("a", true, true);
  add("b", true, true);
  reread = std::chrono::seconds{3};
  start();
  auto handed = seen["a"]->size();
  // Nothing changed: the pollers are not told anything.
  advance(reread);
  BOOST_TEST(seen["a"]->size() == handed);
  store_setting("polling/", R"({"enabled":false,"interval_seconds":40})");
  store_setting("polling/b", R"({"enabled":true,"interval_seconds":null})");
  advance(reread - std::chrono::milliseconds{1});
  BOOST_TEST(seen["a"]->size() == handed);
  advance(std::chrono::milliseconds{1});
  BOOST_REQUIRE(seen["a"]->size() == handed + 1);
  BOOST_TEST((seen["a"]->back() == polling_preference{false, 40}));
  BOOST_TEST((seen["b"]->back() == polling_preference{true, 40}));
  // Told once per change, not at every read.
  advance(reread);
  BOOST_TEST(seen["a"]->size() == handed + 1);
  // A setting made here is not undone by the next read.
  ask<polling_setting_outcome>(overview, polling_atom::value,
                               polling_setting{"a", true, std::nullopt});
  advance(reread);
  BOOST_TEST((seen["a"]->back() == polling_preference{true, 40}));
  BOOST_TEST(seen["a"]->size() == handed + 2);
}

BOOST_AUTO_TEST_CASE(a_record_of_a_provider_without_a_poller_is_no_change) {
  add("a", true, true);
  add_without_token("c");
  store_setting("polling/c", R"({"enabled":false,"interval_seconds":null})");
  stored_preferences.providers["c"] = {false, std::nullopt};
  reread = std::chrono::seconds{3};
  start();
  auto handed = seen["a"]->size();
  advance(reread);
  advance(reread);
  BOOST_TEST(seen["a"]->size() == handed);
}

BOOST_AUTO_TEST_CASE(a_store_of_its_own_is_not_read_again) {
  add("a", true, true);
  start();
  auto handed = seen["a"]->size();
  store_setting("polling/", R"({"enabled":false,"interval_seconds":40})");
  advance(std::chrono::minutes{10});
  BOOST_TEST(seen["a"]->size() == handed);
}

BOOST_AUTO_TEST_CASE(a_setting_for_a_provider_without_a_poller_is_refused) {
  add("a", true, true);
  add_without_token("b");
  start();
  BOOST_TEST(
      (ask_fails<polling_setting_outcome>(overview, polling_atom::value,
                                          polling_setting{"b", false, {}})
           .code
       == errc::not_found));
  auto failed = ask_fails<polling_setting_outcome>(
      overview, polling_atom::value, polling_setting{"nope", true, {}});
  BOOST_TEST((failed.code == errc::not_found));
  BOOST_TEST(failed.detail.find("provider") != std::string::npos,
             failed.detail);
  // Nothing was stored or handed out.
  BOOST_TEST(!*(*store->begin_read())->setting("polling/nope"));
  BOOST_TEST(seen["a"]->empty());
  // A setting for every provider reaches the one poller there is.
  auto out = ask<polling_setting_outcome>(
      overview, polling_atom::value, polling_setting{"", true, std::nullopt});
  BOOST_TEST(out.is_active);
  BOOST_TEST(seen["a"]->size() == 1u);
}

BOOST_AUTO_TEST_CASE(
    health_reports_the_store_and_each_providers_token_and_circuit) {
  add("a", true, true);
  (*states["a"])->circuit = "open";
  (*states["a"])->consecutive_failures = 5;
  add("c", true, true);
  add_without_token("b");
  start();
  // Nothing else polls a provider without a token.
  BOOST_TEST(ask<readiness>(overview, ready_atom::value).ready);
  auto r = ask<health_report>(overview, health_atom::value, false);
  std::vector<std::string> names;
  for (const auto& c : r.components)
    names.push_back(c.name);
  BOOST_TEST((names
              == std::vector<std::string>{"database", "secrets_a", "secrets_b",
                                          "secrets_c", "circuit_breaker_a",
                                          "circuit_breaker_c"}));
  auto c = by_name(r);
  BOOST_TEST((c["database"].status == health_status::healthy));
  BOOST_TEST(c["database"].latency_ms.has_value());
  BOOST_TEST((c["secrets_a"].status == health_status::healthy));
  BOOST_TEST((c["secrets_b"].status == health_status::degraded));
  BOOST_TEST(c["secrets_b"].message == "set the token of b");
  BOOST_TEST((c["circuit_breaker_a"].status == health_status::degraded));
  BOOST_TEST((c["circuit_breaker_c"].status == health_status::healthy));
  BOOST_TEST((overall_status(r) == health_status::degraded));
}

BOOST_AUTO_TEST_CASE(health_asks_the_providers_only_when_told_to) {
  add("a", true, true);
  add("b", true, true);
  tokens["b"]->reset(); // its provider fails
  start();
  auto plain = by_name(ask<health_report>(overview, health_atom::value, false));
  BOOST_TEST(plain.count("a_api") == 0u);
  auto r = ask<health_report>(overview, health_atom::value, true);
  auto c = by_name(r);
  BOOST_REQUIRE(c.count("a_api") == 1u);
  BOOST_TEST((c["a_api"].status == health_status::healthy));
  BOOST_TEST(c["a_api"].message.find("user-of-a") != std::string::npos);
  BOOST_TEST(c["a_api"].latency_ms.has_value());
  BOOST_TEST((c["b_api"].status == health_status::degraded));
  BOOST_TEST(c["b_api"].message.find("503") != std::string::npos);
  BOOST_TEST(r.components.back().name == "b_api");
  // A refused token is degraded too.
  *tokens["b"] = validation{false, {}, "the token was refused"};
  c = by_name(ask<health_report>(overview, health_atom::value, true));
  BOOST_TEST((c["b_api"].status == health_status::degraded));
}

BOOST_AUTO_TEST_CASE(a_poller_that_does_not_answer_degrades_its_circuit) {
  add("a", true, true);
  start();
  states["a"]->reset();
  auto r = ask<health_report>(overview, health_atom::value, false);
  auto c = by_name(r);
  BOOST_TEST((c["circuit_breaker_a"].status == health_status::degraded));
  BOOST_TEST(c["circuit_breaker_a"].message.find("restarting")
             != std::string::npos);
  BOOST_TEST((overall_status(r) == health_status::degraded));
}

// The supervisor starts a stopped liveness check again and hands the
// overview the new one: the status answers again, from it.
BOOST_AUTO_TEST_CASE(a_restarted_check_replaces_the_one_that_stopped) {
  add("a", true, true);
  auto spawn_check = [this](uint64_t cycles) {
    poller_status check;
    check.provider = "local";
    check.cycles = cycles;
    return caf::actor_cast<poller_status_actor>(track(sys->spawn(
        status_poller, std::make_shared<std::optional<poller_status>>(check),
        std::make_shared<std::optional<validation>>(),
        std::make_shared<std::vector<polling_preference>>())));
  };
  auto first = spawn_check(1);
  start({{"local", first}});
  caf::anon_send_exit(first, caf::exit_reason::kill);
  sched->run();
  // The stopped check does not answer: the status fails until replaced.
  ask_fails<std::vector<poller_status>>(overview, status_atom::value);
  caf::anon_send(overview, put_atom::value, provider_name{"local"},
                 spawn_check(2));
  sched->run();
  auto all = ask<std::vector<poller_status>>(overview, status_atom::value);
  BOOST_REQUIRE(all.size() == 2u);
  BOOST_TEST(all.at(1).provider == "local");
  BOOST_TEST(all.at(1).cycles == 2u);
}

BOOST_AUTO_TEST_CASE(a_store_that_cannot_take_writes_makes_health_unhealthy) {
  add("a", true, true);
  registry_health full;
  full.writable = false;
  full.reason = "the disk is full";
  auto broken = caf::actor_cast<registry_actor>(
      track(sys->spawn(health_registry, full)));
  overview = track(sys->spawn(jobsync::overview, broken, reader, pollers,
                              std::map<std::string, poller_status_actor>{},
                              stored_preferences, reread));
  sched->run();
  auto r = ask<health_report>(overview, health_atom::value, false);
  auto c = by_name(r);
  BOOST_TEST((c["database"].status == health_status::unhealthy));
  BOOST_TEST(c["database"].message.find("the disk is full")
             != std::string::npos);
  BOOST_TEST((overall_status(r) == health_status::unhealthy));
  // Readiness says the same.
  BOOST_TEST(!ask<readiness>(overview, ready_atom::value).ready);
}

BOOST_AUTO_TEST_SUITE_END()
