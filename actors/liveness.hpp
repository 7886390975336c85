#pragma once

#include "actors/messages.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace jobsync {

/// How the local provider's liveness check runs (`providers.local.*`).
struct liveness_config {
  /// A running local job with no report for this long fails.
  std::chrono::seconds silence_timeout{0};
  /// Time between checks (a quarter of the timeout, 1 s to 60 s; see
  /// app/assembly).
  std::chrono::milliseconds interval{0};
  /// This replica's name (`server.replica_name`): every replica checks
  /// its own way, so each leads its check.
  std::string replica;

  /// Rejects settings the check cannot work with.
  result<void> validate() const;
};

/// The local provider's poll cycle: local runs have no API to ask, and
/// their protocol has no heartbeat, so a cycle looks at when each running
/// local job last reported and fails those silent for the timeout. Its
/// state is shown beside the pollers' (`GET /api/cloud/polling/status`,
/// `/metrics`).
class liveness_state {
public:
  static inline const char* name = "liveness";

  using self_pointer = liveness_actor::stateful_pointer<liveness_state>;

  explicit liveness_state(self_pointer self) : self_(self) {}

  /// Takes the configuration (validated by the caller) and the peers; the
  /// first cycle runs at once.
  void init(liveness_config config, registry_actor registry,
            reader_actor reader);

  /// The timer fired: runs a cycle unless one is running.
  void tick();

  /// The check's state as a poller's.
  poller_status status() const;

private:
  void on_active(std::vector<job>& jobs);
  void end_cycle(uint64_t failed, const std::string& error);

  /// Unix ms now, by the actor clock (see poller_state::wall_now).
  unix_ms wall_now() const;

  self_pointer self_;
  liveness_config config_;
  registry_actor registry_;
  reader_actor reader_;
  unix_ms wall_at_start_ = 0;
  caf::actor_clock::time_point clock_at_start_;
  bool running_ = false;
  cycle_report current_;
  poller_status status_;
};

/// Spawnable behavior of the local provider's liveness check.
liveness_actor::behavior_type
liveness(liveness_actor::stateful_pointer<liveness_state> self,
         liveness_config config, registry_actor registry, reader_actor reader);

} // namespace jobsync
