#pragma once

#include "actors/messages.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace jobsync {

/// One provider's poller as the overview sees it.
struct watched_poller {
  /// Invalid when jobsync cannot ask the provider (no API token).
  poller_actor poller;
  /// Background polling runs, so readiness waits for its first cycle (or
  /// the word that another replica polls).
  bool polling = false;
  /// Why there is no poller ("jobsync has no API token ...: set ...").
  std::string unavailable;
};

/// The overview's state: the registry, a reader and every poller, which it
/// asks for readiness, for the figures of `GET /metrics`, for the pollers'
/// state and for the health report.
class overview_state {
public:
  static inline const char* name = "overview";

  using self_pointer = overview_actor::stateful_pointer<overview_state>;

  explicit overview_state(self_pointer self) : self_(self) {}

  /// Takes the peers; `checks` are shown beside the pollers, by provider
  /// (the local provider's liveness check); the stored polling preferences were
  /// already applied to the pollers at their start. A positive
  /// `reread_period` (replicas sharing a database) reads them again that
  /// often, so that a setting made through another replica reaches this
  /// one's pollers.
  void init(registry_actor registry, reader_actor reader,
            std::map<std::string, watched_poller> pollers,
            std::map<std::string, poller_status_actor> checks,
            polling_preferences preferences,
            std::chrono::milliseconds reread_period);

  /// Reads the stored polling preferences and, when another replica
  /// changed them, gives every poller what now applies to it; then
  /// schedules the next read.
  void reread_preferences();

  /// Every poller's state; fails when a poller does not answer.
  caf::typed_response_promise<std::vector<poller_status>> status();

  /// The store's counters and the state of every poller that answers (one
  /// restarting is left out rather than failing the scrape).
  caf::typed_response_promise<server_figures> figures();

  /// Ready when the store is writable and every polling poller is settled:
  /// its first cycle ended, or it learned that another replica polls.
  caf::typed_response_promise<readiness> ready();

  /// Stores a polling setting, then gives every poller what now applies to
  /// it; answers once both are done. Settings are taken one at a time, in
  /// the order they arrive.
  caf::typed_response_promise<polling_setting_outcome>
  set_polling(const polling_setting& s);

  /// The store, each provider's token and circuit, and, when
  /// `ask_providers`, whether each provider accepts its token. Never
  /// fails: a peer that does not answer is a component's bad status.
  caf::typed_response_promise<health_report> health(bool ask_providers);

  /// A restarted poller replaces the one that stopped, and gets the
  /// preference that applies to it.
  void replace(const provider_name& provider, poller_actor poller);

  /// A restarted check replaces the one that stopped.
  void replace_check(const provider_name& provider, poller_status_actor check);

  /// Hands a reloaded configuration to the provider's current poller.
  void reconfigure(const provider_name& provider, poller_config config);

private:
  /// The pollers and the checks (for gather).
  std::vector<poller_status_actor> pollers() const;

  /// The providers that have a poller.
  std::vector<std::string> polled_providers() const;

  /// Gives every poller the preference that applies to it now; `done`
  /// gets `out` with is_active set when one of them polls.
  void hand_out(polling_setting_outcome out,
                std::function<void(polling_setting_outcome&)> done);

  /// Adds the registry's figures (trainer reports, writes) and answers.
  void
  with_registry_figures(server_figures f,
                        caf::typed_response_promise<server_figures> promise);

  /// Asks one poller for its state.
  auto status_of(const poller_status_actor& p);

  /// A poller asked for a part of the health report, and where in the
  /// report its answer goes (answers arrive in any order).
  struct health_peer {
    size_t slot;
    std::string provider;
    poller_actor poller;
  };

  /// Appends one empty component per poller and returns who fills which.
  std::vector<health_peer> reserve_slots(health_report& r) const;

  /// Milliseconds since `start` on the actor's clock.
  double ms_since(caf::actor_clock::time_point start) const;

  /// The health report's provider parts, after the store's.
  void provider_health(health_report report, bool ask_providers,
                       caf::typed_response_promise<health_report> promise);

  /// Asks every provider with a poller whether it accepts its token.
  void api_health(health_report report,
                  caf::typed_response_promise<health_report> promise);

  self_pointer self_;
  registry_actor registry_;
  reader_actor reader_;
  std::map<std::string, watched_poller> pollers_;
  std::map<std::string, poller_status_actor> checks_;
  polling_preferences preferences_;
  std::chrono::milliseconds reread_period_{0};
};

/// Spawnable behavior of the overview.
overview_actor::behavior_type
overview(overview_actor::stateful_pointer<overview_state> self,
         registry_actor registry, reader_actor reader,
         std::map<std::string, watched_poller> pollers,
         std::map<std::string, poller_status_actor> checks,
         polling_preferences preferences,
         std::chrono::milliseconds reread_period);

} // namespace jobsync
