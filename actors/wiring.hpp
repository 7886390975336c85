#pragma once

#include "actors/leadership.hpp"
#include "actors/liveness.hpp"
#include "actors/messages.hpp"
#include "actors/overview.hpp"
#include "actors/poller.hpp"
#include "actors/registry.hpp"
#include "actors/sse_hub.hpp"
#include "actors/sync.hpp"
#include "actors/webhook_receiver.hpp"
#include "model/result.hpp"
#include "providers/provider.hpp"
#include "storage/job_store.hpp"

#include <caf/actor_system.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace jobsync {

/// One configured provider and the actors that serve it.
struct provider_wiring {
  /// Shared by its poller and its webhook receiver.
  std::shared_ptr<providers::provider> provider;
  /// jobsync talks to the provider's API (it is enabled in the
  /// configuration); it gets a poller when it also has a token.
  bool enabled = true;
  poller_config poller;
  /// Jobs a sync discovers at most.
  uint64_t sync_limit = 0;
  /// Why jobsync cannot talk to the provider's API when it gets no poller
  /// (disabled, or no token: which key to set).
  std::string unavailable;
  /// Its webhook receiver (every configured provider has one).
  webhook_receiver_config webhooks;

  /// Whether the provider gets a poller.
  bool polled() const {
    return enabled && provider && provider->can_ask();
  }
};

/// A provider's parts of a reloaded configuration (SIGHUP).
struct provider_reload {
  std::string name;
  /// Its poller's configuration (when it has a poller).
  poller_config poller;
  std::string api_token;
  webhook_receiver_config webhooks;
};

/// What wiring needs to spawn the actors.
struct wiring_config {
  registry_config registry;
  /// Size of the reader pool (on PostgreSQL: one connection each).
  size_t readers = 2;
  /// Every configured provider.
  std::vector<provider_wiring> providers;
  sync_config sync;
  /// The local provider's liveness check; none when local runs are off.
  std::optional<liveness_config> liveness;
  /// The SSE fan-out (`GET /api/events`); wiring sets its last_event_id
  /// from the store.
  sse_hub_config events;
  /// Which replica polls each provider, when replicas share the store.
  leadership_config leadership;

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

  /// The sync actor (discovery, sync_active, cancel, progress, logs).
  const sync_actor& sync() const {
    return sync_;
  }

  /// Readiness, figures and the pollers' state.
  const overview_actor& overview() const {
    return overview_;
  }

  /// The webhook receivers by provider (`POST /api/webhooks/<provider>`).
  const std::map<std::string, webhook_receiver_actor>& webhooks() const {
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

  /// Hands a reloaded configuration to the running actors: each poller
  /// (and the pollers the supervisor starts later), each provider's API
  /// token, each webhook receiver, the sync actor and the SSE hub. Returns
  /// what could not be applied, one sentence each (the rest was).
  std::vector<std::string> reconfigure(const std::vector<provider_reload>& xs,
                                       const sync_config& sync,
                                       const sse_hub_config& events);

private:
  explicit wiring(caf::actor_system& sys) : sys_(sys) {}

  caf::actor_system& sys_;
  registry_actor registry_;
  std::vector<reader_actor> readers_;
  std::vector<poller_actor> pollers_;
  liveness_actor liveness_;
  sync_actor sync_;
  overview_actor overview_;
  sse_hub_actor events_;
  /// Invalid for a store of one process (it always polls).
  leadership_actor leadership_;
  std::map<std::string, webhook_receiver_actor> webhooks_;
  supervisor_actor supervisor_;
  /// The providers, kept until every actor using them has stopped.
  std::vector<std::shared_ptr<providers::provider>> providers_;
  /// Each poller's configuration as its factory makes it (the supervisor
  /// calls factories on its thread, a reload changes them on main's).
  struct shared_poller_config {
    std::mutex mutex;
    poller_config value;
  };
  std::map<std::string, std::shared_ptr<shared_poller_config>> poller_configs_;
  /// The shared store's events (nullptr for a store of one process).
  std::unique_ptr<storage::event_feed> feed_;
  bool stopped_ = false;
};

} // namespace jobsync
