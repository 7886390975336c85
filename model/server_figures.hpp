#pragma once

#include "model/event_stream.hpp"
#include "model/polling.hpp"
#include "model/status.hpp"
#include "model/writer_figures.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobsync {

/// One counter of the store: how many jobs share a type, status and
/// provider (local jobs have none).
struct job_tally {
  job_type type = job_type::cloud;
  job_status status = job_status::pending;
  std::optional<std::string> provider;
  uint64_t count = 0;
};

/// How many active jobs of one provider are stale (`jobsync_jobs_stale`).
struct stale_tally {
  std::string provider;
  uint64_t count = 0;
};

/// The HTTP server's connections.
struct connection_figures {
  uint64_t open = 0;
  uint64_t accepted = 0;
  uint64_t closed = 0;
  uint64_t refused = 0;
};

/// What `GET /metrics` shows: the store's counters and every poller's state
/// (one request to the sync actor), then what the metrics handler adds
/// from the SSE hub, the HTTP server and the process.
struct server_figures {
  std::vector<job_tally> jobs;
  /// One per poller that answered (a restarting poller may be missing).
  std::vector<poller_status> pollers;
  /// The SSE hub's counters, when it answered.
  std::optional<event_stream_stats> events;
  std::optional<connection_figures> connections;
  /// Stale jobs per provider (every provider with a poller or an active
  /// job), when a reader answered.
  std::optional<std::vector<stale_tally>> stale;
  /// Reports of local trainers committed since start, and those of them
  /// without a job id (counted, attributed to no job); when the registry
  /// answered.
  std::optional<uint64_t> trainer_reports;
  std::optional<uint64_t> unattributed_reports;
  /// The registry's writing, when it answered.
  std::optional<writer_figures> writer;
  /// Descriptors the process holds, when /proc tells.
  std::optional<uint64_t> open_descriptors;
};

} // namespace jobsync
