#pragma once

#include "actors/messages.hpp"
#include "model/result.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <map>
#include <string>
#include <vector>

namespace jobsync {

/// How discovery and sync_active run.
struct sync_config {
  /// Jobs discovered per provider by `POST /api/cloud/jobs/sync`.
  uint64_t sync_limit = 100;
  /// Time budget of `sync_active`.
  std::chrono::milliseconds active_deadline{5000};
  /// A stored log tail younger than this answers inline progress without
  /// the provider; a provider fetch is reused for as long.
  std::chrono::milliseconds log_freshness{5000};
  /// Deadline of the provider fetch behind inline progress and logs.
  std::chrono::milliseconds log_fetch_timeout{3000};
  /// Bytes of a fetched log the progress rules look at (the stored tail's
  /// size, so both paths see the same lines).
  size_t log_tail_bytes = 16384;

  /// Rejects settings the sync actor cannot work with.
  result<void> validate() const;
};

/// One provider as the sync actor sees it.
struct provider_entry {
  poller_actor poller;
  /// "Replicate", for messages.
  std::string label;
  /// Background polling runs (readiness waits for its first cycle).
  bool polling = false;
};

/// The sync actor's state: its peers and the callers waiting for a shared
/// discovery run.
struct sync_state {
  static inline const char* name = "sync";
  sync_config config;
  registry_actor registry;
  reader_actor reader;
  /// By provider name.
  std::map<std::string, provider_entry> providers;
  /// Everyone waiting for the discovery run in progress.
  std::vector<caf::typed_response_promise<sync_report>> sync_waiters;
};

/// Spawnable behavior of the sync actor.
sync_actor::behavior_type sync(sync_actor::stateful_pointer<sync_state> self,
                               sync_config config, registry_actor registry,
                               reader_actor reader,
                               std::map<std::string, provider_entry> providers);

} // namespace jobsync
