#pragma once

#include "actors/messages.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <map>
#include <string>

namespace jobsync {

/// One provider's poller as the overview sees it.
struct watched_poller {
  poller_actor poller;
  /// Background polling runs, so readiness waits for its first cycle.
  bool polling = false;
};

/// The overview's state: the registry, a reader and every poller, which it
/// asks for readiness, for the figures of `GET /metrics` and for the
/// pollers' state.
class overview_state {
public:
  static inline const char* name = "overview";

  using self_pointer = overview_actor::stateful_pointer<overview_state>;

  explicit overview_state(self_pointer self) : self_(self) {}

  /// Takes the peers and the stored polling preferences (already applied
  /// to the pollers at their start).
  void init(registry_actor registry, reader_actor reader,
            std::map<std::string, watched_poller> pollers,
            polling_preferences preferences);

  /// Every poller's state; fails when a poller does not answer.
  caf::typed_response_promise<std::vector<poller_status>> status();

  /// The store's counters and the state of every poller that answers (one
  /// restarting is left out rather than failing the scrape).
  caf::typed_response_promise<server_figures> figures();

  /// Ready when the store is writable and every polling poller finished
  /// its first cycle.
  caf::typed_response_promise<readiness> ready();

  /// Stores a polling setting, then gives every poller what now applies to
  /// it; answers once both are done. Settings are taken one at a time, in
  /// the order they arrive.
  caf::typed_response_promise<polling_setting_outcome>
  set_polling(const polling_setting& s);

  /// A restarted poller replaces the one that stopped, and gets the
  /// preference that applies to it.
  void replace(const provider_name& provider, poller_actor poller);

  /// Hands a reloaded configuration to the provider's current poller.
  void reconfigure(const provider_name& provider, poller_config config);

private:
  /// The pollers (for gather).
  std::vector<poller_actor> pollers() const;

  /// Asks one poller for its state.
  auto status_of(const poller_actor& p);

  self_pointer self_;
  registry_actor registry_;
  reader_actor reader_;
  std::map<std::string, watched_poller> pollers_;
  polling_preferences preferences_;
};

/// Spawnable behavior of the overview.
overview_actor::behavior_type
overview(overview_actor::stateful_pointer<overview_state> self,
         registry_actor registry, reader_actor reader,
         std::map<std::string, watched_poller> pollers,
         polling_preferences preferences);

} // namespace jobsync
