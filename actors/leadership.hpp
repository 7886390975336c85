#pragma once

#include "actors/messages.hpp"
#include "model/result.hpp"
#include "storage/leader_locks.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace jobsync {

/// How the leadership actor claims the pollers' locks.
struct leadership_config {
  /// This replica's name (shown as the leader of what it polls).
  std::string replica;
  /// Time between claims: half the poll interval, so that another replica
  /// takes over a provider within one interval of its leader's end.
  std::chrono::milliseconds period{0};

  /// Rejects settings the actor cannot work with.
  result<void> validate() const;
};

/// The leadership actor's state: the locks (a database session of its
/// own), the pollers by provider and the last word each one got.
class leadership_state {
public:
  static inline const char* name = "leadership";

  using self_pointer = leadership_actor::stateful_pointer<leadership_state>;

  explicit leadership_state(self_pointer self) : self_(self) {}

  /// Takes the configuration (validated by the caller), the locks and the
  /// pollers; the first claim runs at once.
  void init(leadership_config config,
            std::shared_ptr<storage::leader_locks> locks,
            std::map<std::string, poller_actor> pollers);

  /// Claims the locks, tells every poller whose leadership changed, and
  /// schedules the next claim.
  void claim();

  /// A restarted poller replaces the one that stopped; it hears the last
  /// word at once.
  void replace(const provider_name& provider, poller_actor poller);

private:
  // Tells a poller, remembers it, and logs a change.
  void tell(const std::string& provider, const poll_leadership& l);

  self_pointer self_;
  leadership_config config_;
  std::shared_ptr<storage::leader_locks> locks_;
  std::map<std::string, poller_actor> pollers_;
  /// The last word each poller got.
  std::map<std::string, poll_leadership> told_;
  /// The last claim failed (logged once until one succeeds).
  bool failing_ = false;
};

/// Spawnable behavior of the leadership actor (spawn it detached: a claim
/// waits for the database).
leadership_actor::behavior_type
leadership(leadership_actor::stateful_pointer<leadership_state> self,
           leadership_config config,
           std::shared_ptr<storage::leader_locks> locks,
           std::map<std::string, poller_actor> pollers);

} // namespace jobsync
