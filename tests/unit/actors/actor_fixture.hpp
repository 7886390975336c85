#pragma once

#include "actors/error.hpp"
#include "actors/messages.hpp"
#include "app/assembly.hpp"
#include "config/settings.hpp"
#include "providers/catalog.hpp"
#include "storage/job_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/store_backend.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/detail/test_actor_clock.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

namespace jobsync::test {

/// The settings jobsyncd runs with when its configuration says nothing:
/// tests take the actors' configurations from them (app/assembly.hpp), so
/// every default is written once, in config/settings.hpp.
inline const config::settings& default_settings() {
  static const config::settings s;
  return s;
}

/// The default provider's settings.
inline const config::provider_settings& default_provider_settings() {
  return default_settings().providers.begin()->second;
}

/// The default provider as configured, without a token: it reads webhook
/// bodies, and its API is never asked.
inline std::shared_ptr<providers::provider> offline_provider() {
  const auto& [name, p] = *default_settings().providers.begin();
  auto made = providers::make_provider(app::provider_options_of(name, p));
  BOOST_REQUIRE_MESSAGE(made, (made ? "" : made.error().detail));
  return *made;
}

/// An event sink that records what it receives (a fake of the SSE hub).
inline event_sink_actor::behavior_type
recording_sink(std::shared_ptr<std::vector<job_changed>> events) {
  return {[events](std::vector<job_changed>& batch) {
    events->insert(events->end(), batch.begin(), batch.end());
  }};
}

/// A store of the backend under test (an LMDB folder or a fresh
/// PostgreSQL database) and an actor system with CAF's deterministic
/// scheduler: nothing runs until the test says so, so batching and ordering
/// are exact, not timing-dependent.
struct actor_fixture {
  temp_dir dir;
  storage::store_options options = fresh_store_options(dir.path());
  std::unique_ptr<storage::job_store> store;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  std::shared_ptr<std::vector<job_changed>> events
      = std::make_shared<std::vector<job_changed>>();
  event_sink_actor sink;

  actor_fixture() {
    open_store();
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    sink = track(sys->spawn(recording_sink, events));
  }

  ~actor_fixture() {
    // CAF's system waits for every actor at destruction: stop them all.
    for (auto& a : tracked)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    sched->run();
    tracked.clear();
    sink = nullptr;
  }

  /// Actors the fixture stops at the end of the test.
  std::vector<caf::actor> tracked;

  /// Moves the actors' clock on by `d` (delayed messages and timeouts due
  /// by then fire) and runs everything.
  void advance(std::chrono::milliseconds d) {
    auto& clock = dynamic_cast<caf::detail::test_actor_clock&>(sched->clock());
    clock.advance_time(d);
    sched->run();
  }

  /// Remembers an actor so the fixture stops it.
  template <class Handle>
  Handle track(Handle h) {
    tracked.push_back(caf::actor_cast<caf::actor>(h));
    return h;
  }

  /// Opens the store of `options` (again).
  void open_store() {
    store.reset();
    auto opened = storage::job_store::open(options);
    if (!opened)
      BOOST_FAIL(opened.error().detail);
    store = std::move(*opened);
  }

  /// The outcome of one request: the value or the error.
  template <class T>
  using outcome = std::shared_ptr<std::optional<std::variant<T, failure>>>;

  /// Sends a request from a fresh client actor; the answer lands in the
  /// returned slot once the scheduler has run.
  template <class T, class Handle, class... Ts>
  outcome<T> send_request(const Handle& dest, Ts... xs) {
    auto slot = std::make_shared<std::optional<std::variant<T, failure>>>();
    sys->spawn([=](caf::event_based_actor* self) {
      self->request(dest, caf::infinite, xs...)
          .then([slot](T& value) { *slot = std::move(value); },
                [slot](caf::error& e) { *slot = from_error(e); });
    });
    return slot;
  }

  /// Sends a request, runs everything, and returns the value (failing the
  /// test on an error).
  template <class T, class Handle, class... Ts>
  T ask(const Handle& dest, Ts... xs) {
    auto slot = send_request<T>(dest, xs...);
    sched->run();
    BOOST_REQUIRE_MESSAGE(slot->has_value(), "no answer");
    if (auto* f = std::get_if<failure>(&**slot))
      BOOST_FAIL(f->detail);
    return std::get<T>(**slot);
  }

  /// Sends a request, runs everything, and returns the failure it must end
  /// in.
  template <class T, class Handle, class... Ts>
  failure ask_fails(const Handle& dest, Ts... xs) {
    auto slot = send_request<T>(dest, xs...);
    sched->run();
    BOOST_REQUIRE_MESSAGE(slot->has_value(), "no answer");
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<failure>(**slot),
                          "expected an error");
    return std::get<failure>(**slot);
  }
};

} // namespace jobsync::test
