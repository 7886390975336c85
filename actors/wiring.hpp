#pragma once

#include "actors/messages.hpp"
#include "actors/poller.hpp"
#include "actors/registry.hpp"
#include "actors/sse_hub.hpp"
#include "actors/sync.hpp"
#include "actors/webhook_receiver.hpp"
#include "model/result.hpp"
#include "storage/job_store.hpp"

#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

namespace jobsync {

/// What wiring needs to spawn the actors.
struct wiring_config {
  registry_config registry;
  /// Size of the reader pool (on PostgreSQL: one connection each).
  size_t readers = 2;
  /// One poller per configured provider.
  std::vector<poller_config> pollers;
  sync_config sync;
  /// The SSE fan-out (`GET /api/events`); wiring sets its last_event_id
  /// from the store.
  sse_hub_config events;
  /// The receiver of the provider's webhook deliveries.
  webhook_receiver_config webhooks;

  /// Rejects settings the actors cannot work with.
  result<void> validate() const;
};

/// Spawns every actor with its peers, and stops them in order: first those
/// that produce work, the registry (the writer) last so that everything
/// already accepted is committed.
class wiring {
public:
  /// Spawns the actors over an open store (which must outlive them).
  static result<std::unique_ptr<wiring>>
  start(caf::actor_system& sys, storage::job_store& store, wiring_config cfg);

  ~wiring();

  /// The registry.
  const registry_actor& registry() const {
    return registry_;
  }

  /// The reader pool.
  const std::vector<reader_actor>& readers() const {
    return readers_;
  }

  /// The sync actor (discovery, sync_active, cancel, poller status).
  const sync_actor& sync() const {
    return sync_;
  }

  /// The webhook receiver (`POST /api/webhooks/replicate`).
  const webhook_receiver_actor& webhooks() const {
    return webhooks_;
  }

  /// The SSE hub (`GET /api/events`, the registry's event sink).
  const sse_hub_actor& events() const {
    return events_;
  }

  /// Ends every event stream and refuses new ones; returns once each end
  /// was written (or the hub's drain deadline passed). Call it before the
  /// HTTP server stops, so streams end cleanly rather than being cut.
  void end_event_streams();

  /// Exits every actor in order and waits until each is gone.
  void shutdown();

private:
  explicit wiring(caf::actor_system& sys) : sys_(sys) {}

  caf::actor_system& sys_;
  registry_actor registry_;
  std::vector<reader_actor> readers_;
  std::vector<poller_actor> pollers_;
  sync_actor sync_;
  sse_hub_actor events_;
  webhook_receiver_actor webhooks_;
  caf::actor supervisor_;
  /// The shared store's events (nullptr for a store of one process).
  std::unique_ptr<storage::event_feed> feed_;
  bool stopped_ = false;
};

} // namespace jobsync
