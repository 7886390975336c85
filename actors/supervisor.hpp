#pragma once

#include "actors/messages.hpp"

#include <caf/actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace jobsync {

/// An actor the supervisor keeps running (a provider's poller, the local
/// provider's liveness check): the one running now, and how to start
/// another after it stopped. `start_again` also tells whoever holds the
/// old one (the poller directories, the overview) and returns the new one.
struct supervised {
  caf::actor actor;
  std::function<caf::actor()> start_again;
};

/// The supervisor's state: the actors it watches, by name, and how often
/// each was started again.
class supervisor_state {
public:
  static inline const char* name = "supervisor";

  using self_pointer = supervisor_actor::stateful_pointer<supervisor_state>;

  explicit supervisor_state(self_pointer self) : self_(self) {}

  /// Watches every actor given.
  void init(std::map<std::string, supervised> watched);

  /// A watched actor stopped: logs it and schedules its restart.
  void stopped(const caf::down_msg& down);

  /// Starts a watched actor again and watches the new one.
  void restart(const provider_name& name);

  /// Stops every watched actor (the supervisor is shutting down).
  void stop_all(const caf::error& reason);

  /// How long restart number `n` (1, 2, ...) waits: 1 s, doubling, at most
  /// a minute.
  static std::chrono::seconds restart_delay(uint32_t n);

private:
  struct watched : supervised {
    uint32_t restarts = 0;
  };

  self_pointer self_;
  std::map<std::string, watched> watched_;
};

/// Spawnable behavior of the supervisor: an actor it watches that stops is
/// logged, counted and started again after restart_delay; when the
/// supervisor exits, the actors it watches exit with it.
supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           std::map<std::string, supervised> watched);

} // namespace jobsync
