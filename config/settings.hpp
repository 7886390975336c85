#pragma once

#include "model/polling.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace jobsync::config {

/// `server.*`: the HTTP listener.
struct server_settings {
  std::string host = "127.0.0.1";
  /// 0 picks a free port; the bound port is logged.
  uint16_t port = 8080;
  int threads = 2;
  size_t max_body_bytes = 1048576;
  /// When set, every /api/ route but the webhook receiver needs
  /// `Authorization: Bearer <token>`.
  std::string api_token;
  /// A request must arrive whole within it (slow clients are closed), and
  /// a response keep writing (SSE heartbeats must be shorter).
  int request_timeout_seconds = 60;
  /// Connections held at once; 0: what the open-file limit allows.
  size_t max_connections = 0;
  /// This replica's name among replicas sharing a database (who polls a
  /// provider); empty: the host name and port (or PID, for port 0).
  std::string replica_name;
};

/// `storage.*`: where jobs are kept.
struct storage_settings {
  /// "lmdb" (a local folder) or "postgres" (a database replicas share).
  std::string backend = "lmdb";
  std::string path = "./data";
  size_t map_size_mb = 4096;
  /// Bytes of each job's log kept for inline progress.
  size_t log_tail_bytes = 16384;
  /// `storage.postgres.url`: libpq connection string or URI.
  std::string postgres_url;
  /// `storage.postgres.password_file`: its first line is the password.
  std::string postgres_password_file;
  /// `storage.postgres.pool_size`: connections kept open for queries.
  size_t postgres_pool_size = 4;
};

/// Tri-state switch of `background.job_status_polling.enabled`.
using jobsync::polling_mode;

/// `background.job_status_polling.*` (the seed's enterprise keys).
struct polling_settings {
  polling_mode enabled = polling_mode::automatic;
  int interval_seconds = 30;
};

/// `background.*` beside polling: how long the store may go unconfirmed.
struct freshness_settings {
  /// Every provider is reconciled (list-first) at least this often,
  /// whatever the polling mode; 0 turns the sweep off.
  int reconcile_interval_seconds = 300;
  /// A non-terminal job its provider has not confirmed for this long is
  /// shown as stale; 0: three times the effective sweep interval (the poll
  /// interval when polling is on, else the reconcile interval).
  int stale_after_seconds = 0;
};

/// `providers.<name>.*`: one provider and how jobsync talks to it. The
/// defaults are Replicate's, the one provider jobsync knows today.
struct provider_settings {
  bool enabled = true;
  std::string api_base_url = "https://api.replicate.com/v1";
  std::string api_token;
  std::string webhook_url;
  std::string webhook_secret;
  int sync_limit = 100;
  /// "predictions" or "trainings": which Replicate collection holds jobs.
  std::string resource = "predictions";
  int request_timeout_seconds = 30;
  int connect_timeout_seconds = 10;
  int max_concurrency = 8;
  /// Request budget of the poller: a safe share of Replicate's 3000/min.
  int requests_per_minute = 1200;
  /// Consecutive failed cycles that open the circuit, and how long it stays
  /// open before a probe.
  int circuit_failure_threshold = 5;
  int circuit_open_seconds = 60;
  int backoff_initial_seconds = 1;
  int backoff_max_seconds = 300;
  /// A job the provider answered 404 for this long, with nothing confirming
  /// it since, is stored as failed (lost); 0: never.
  int lost_after_seconds = 3600;
  /// Hardware assumed for cost when neither model_hardware nor the
  /// model's name says (SKU).
  std::string default_hardware = "gpu-l40s";
  /// The price table, the only one: SKU -> US dollars per second of
  /// predict_time. One GPU at SimpleTuner's figures, several at n times
  /// that (the SKUs of SimpleTuner's trainers, named in Replicate's way).
  std::map<std::string, double> hardware_prices = {
      {"gpu-l40s", 0.000972222},    {"gpu-2x-l40s", 0.001944444},
      {"gpu-4x-l40s", 0.003888889}, {"gpu-8x-l40s", 0.007777778},
      {"gpu-h100", 0.001525},       {"gpu-h100-2x", 0.00305},
      {"gpu-h100-4x", 0.0061},      {"gpu-h100-8x", 0.0122},
  };
  /// SKU -> label stored as hardware_type.
  std::map<std::string, std::string> hardware_names = {
      {"gpu-l40s", "L40S (48GB)"},        {"gpu-2x-l40s", "2x L40S (96GB)"},
      {"gpu-4x-l40s", "4x L40S (192GB)"}, {"gpu-8x-l40s", "8x L40S (384GB)"},
      {"gpu-h100", "H100 (80GB)"},        {"gpu-h100-2x", "2x H100 (160GB)"},
      {"gpu-h100-4x", "4x H100 (320GB)"}, {"gpu-h100-8x", "8x H100 (640GB)"},
  };
  /// Model ("owner/name") -> SKU, for accounts that run several trainers.
  std::map<std::string, std::string> model_hardware;
};

/// `providers.local.*`: training runs on the user's own machines, reported
/// by their trainer to `POST /callback`.
struct local_settings {
  /// false: `POST /callback` is not served.
  bool enabled = true;
  /// When set, reports must carry it as `X-API-Key`; when empty, only
  /// loopback clients may report.
  std::string api_key;
  /// Largest report accepted (validation images are 1-2 MB each).
  size_t max_body_bytes = size_t{32} << 20;
  /// Larger validation images are not kept.
  size_t max_image_bytes = size_t{8} << 20;
  /// A running local job with no report for this long fails (the
  /// protocol has no heartbeat; caching, validation and saving are
  /// silent for minutes).
  int silence_timeout_seconds = 1800;
};

/// `events.*`: the SSE fan-out.
struct event_settings {
  int heartbeat_seconds = 15;
  size_t replay_buffer = 1000;
  size_t max_connections = 10000;
  size_t max_connections_per_address = 5;
  /// Unflushed bytes a subscriber may owe before it is disconnected.
  size_t max_buffered_bytes = 262144;
  /// The `retry:` hint sent on connect.
  int retry_ms = 3000;
};

/// `webhooks.*`: the Replicate webhook receiver.
struct webhook_settings {
  /// Development only: accept deliveries without a signature.
  bool allow_unsigned = false;
  int timestamp_tolerance_seconds = 300;
  int id_retention_hours = 24;
  /// Failed signature checks one address may make per minute before 429.
  int failed_signatures_per_minute = 30;
};

/// `sync.*`: discovery and sync_active.
struct sync_settings {
  /// Time budget of `GET /api/cloud/jobs?sync_active=true`.
  int active_deadline_seconds = 5;
};

/// `inline_progress.*`.
struct progress_settings {
  /// A stored log tail younger than this is answered without the provider.
  int freshness_seconds = 5;
  /// Deadline of the provider fetch behind an inline-progress request.
  int fetch_timeout_seconds = 3;
};

/// `web.*`: the dashboard.
struct web_settings {
  /// Serve the dashboard from this folder instead of the embedded copy
  /// (for development).
  std::string assets_dir;
  /// Show a DEMO banner: jobsync talks to the bundled emulator, not to a
  /// real account (scripts/run.sh sets it in demo mode).
  bool demo = false;
};

/// `logging.*`: what jobsync writes to stderr.
struct logging_settings {
  /// debug, info, warning or error: lines below it are dropped.
  std::string level = "info";
};

/// The whole effective configuration.
struct settings {
  server_settings server;
  storage_settings storage;
  polling_settings polling;
  freshness_settings freshness;
  /// The providers asked over their API, by name under `providers.`.
  std::map<std::string, provider_settings> providers = {{"replicate", {}}};
  /// `providers.local`: runs that report to jobsync themselves.
  local_settings local;
  event_settings events;
  webhook_settings webhooks;
  sync_settings sync;
  progress_settings inline_progress;
  web_settings web;
  logging_settings logging;
};

} // namespace jobsync::config
