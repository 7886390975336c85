#pragma once

#include "actors/messages.hpp"
#include "http/connection_counters.hpp"
#include "http/deadlines.hpp"
#include "http/polling_setting_body.hpp"

#include <caf/actor_system.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jobsync::http {

/// The dashboard's settings.
struct web_config {
  /// Serve the dashboard from this folder instead of the embedded copy.
  std::string assets_dir;
  /// jobsync runs against the bundled emulator: the page shows a banner.
  bool demo = false;
};

/// `POST /callback`: reports of local trainers.
struct callback_config {
  /// false: the route is not served.
  bool enabled = true;
  /// When not empty, reports must carry it as `X-API-Key`; when empty,
  /// only loopback clients may report.
  std::string api_key;
  /// Largest report accepted (the route's own body limit).
  size_t max_body_bytes = size_t{32} << 20;
  /// Bounds applied while reading a report (validation image size).
  trainer_event_limits limits;
};

/// What the HTTP layer needs to know from the configuration.
struct api_config {
  /// When not empty, /api/ routes (but the webhook receiver) need it.
  std::string api_token;
  /// Deadline of one actor request made for an HTTP request.
  std::chrono::milliseconds actor_timeout{10000};
  /// The dashboard (`/`, `/assets/`, `/api/ui/config`).
  web_config web;
  /// When a job is shown as stale (never, by default).
  staleness_rule staleness;
  /// The poll intervals `PUT /api/cloud/polling/setting` accepts.
  interval_limits poll_intervals;
  /// The receiver of local trainers' reports.
  callback_config callbacks;
};

/// The actors the handlers talk to.
struct api_actors {
  registry_actor registry;
  /// The reader pool; requests go round-robin.
  std::vector<reader_actor> readers;
  /// Discovery, sync_active, cancel, progress, logs, validate.
  sync_actor sync;
  /// Readiness, the figures of `/metrics`, the pollers' state.
  overview_actor overview;
  /// Verify and record each provider's webhook deliveries, by provider.
  std::map<std::string, webhook_receiver_actor> webhooks;
  /// The SSE fan-out (`GET /api/events`).
  sse_hub_actor events;
};

/// Everything a handler needs: the actor system, the actors and the
/// settings. Shared by all routes; safe to use from any I/O thread.
class api {
public:
  /// `connections` are the server's counters (for /metrics; may be empty).
  api(caf::actor_system& sys, api_config config, api_actors actors,
      std::shared_ptr<const connection_counters> connections = {})
      : sys_(sys),
        config_(std::make_shared<const api_config>(std::move(config))),
        actors_(std::move(actors)), connections_(std::move(connections)),
        deadlines_(std::make_shared<deadline_keeper>(config_->actor_timeout)) {}

  caf::actor_system& system() const {
    return sys_;
  }

  /// The configuration as of now (a reload may replace it meanwhile: keep
  /// the pointer while using what it holds).
  std::shared_ptr<const api_config> config() const {
    return std::atomic_load(&config_);
  }

  /// Replaces the configuration (a reload); requests already running keep
  /// the one they started with.
  void reconfigure(api_config config) const {
    std::atomic_store(&config_,
                      std::make_shared<const api_config>(std::move(config)));
  }

  const api_actors& actors() const {
    return actors_;
  }

  /// The HTTP server's connection counters; null when not shared.
  const connection_counters* connections() const {
    return connections_.get();
  }

  /// Answers 504 for actors that do not answer in time (see bridge.hpp).
  const std::shared_ptr<deadline_keeper>& deadlines() const {
    return deadlines_;
  }

  /// The next reader of the pool.
  const reader_actor& reader() const {
    auto i = next_reader_.fetch_add(1, std::memory_order_relaxed);
    return actors_.readers[i % actors_.readers.size()];
  }

private:
  caf::actor_system& sys_;
  mutable std::shared_ptr<const api_config> config_;
  api_actors actors_;
  std::shared_ptr<const connection_counters> connections_;
  mutable std::atomic<size_t> next_reader_{0};
  std::shared_ptr<deadline_keeper> deadlines_;
};

} // namespace jobsync::http
