#pragma once

#include "actors/messages.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace jobsync {

/// Spawns a fresh poller for a provider (after a crash).
using poller_factory = std::function<poller_actor()>;

/// The supervisor's state: the pollers it watches, how to start each again,
/// and who must learn about a replacement.
class supervisor_state {
public:
  static inline const char* name = "supervisor";

  using self_pointer = supervisor_actor::stateful_pointer<supervisor_state>;

  explicit supervisor_state(self_pointer self) : self_(self) {}

  /// Watches `pollers`; `factories` start each again; `directories` learn
  /// about every replacement.
  void init(std::map<std::string, poller_actor> pollers,
            std::map<std::string, poller_factory> factories,
            std::vector<poller_directory_actor> directories);

  /// A watched poller stopped: logs it and schedules its restart.
  void stopped(const caf::down_msg& down);

  /// Starts a provider's poller again and tells the directories.
  void restart(const provider_name& provider);

  /// Stops every watched poller (the supervisor is shutting down).
  void stop_all(const caf::error& reason);

  /// How long restart number `n` (1, 2, ...) waits: 1 s, doubling, at most
  /// a minute.
  static std::chrono::seconds restart_delay(uint32_t n);

private:
  struct watched {
    poller_actor poller;
    poller_factory factory;
    uint32_t restarts = 0;
  };

  self_pointer self_;
  std::map<std::string, watched> watched_;
  std::vector<poller_directory_actor> directories_;
};

/// Spawnable behavior of the supervisor: a poller that crashes is logged,
/// counted and started again after restart_delay; when the supervisor
/// exits, the pollers exit with it.
supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           std::map<std::string, poller_actor> pollers,
           std::map<std::string, poller_factory> factories,
           std::vector<poller_directory_actor> directories);

} // namespace jobsync
