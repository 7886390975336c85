#pragma once

#include "model/polling.hpp"
#include "model/status.hpp"

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

/// What `GET /metrics` shows, gathered by one actor request: the store's
/// counters and every poller's state.
struct server_figures {
  std::vector<job_tally> jobs;
  /// One per poller that answered (a restarting poller may be missing).
  std::vector<poller_status> pollers;
};

} // namespace jobsync
