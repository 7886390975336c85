#pragma once

#include "model/status.hpp"
#include "model/timestamp.hpp"

#include <cstdint>
#include <optional>

namespace jobsync {

/// When a stored job counts as stale: its provider has not confirmed its
/// state for too long. Derived at read time, like the duration: a job
/// turns stale by the clock alone, and never changes status for it
/// (status is never guessed).
struct staleness_rule {
  /// Milliseconds without a confirmation after which a job is stale; 0:
  /// no job is ever stale.
  int64_t after_ms = 0;
  /// Jobs never confirmed (stored before jobsync recorded confirmations)
  /// count from here: when this server started.
  unix_ms since = 0;
};

/// Whether a job is stale at `now`: it reached its provider (it has the
/// provider's id), is not terminal, and its last confirmation (or the
/// rule's `since`, when there was none) is more than `after_ms` ago. A
/// job that never reached a provider has nobody to confirm it, and a
/// terminal job cannot change any more: neither is ever stale.
bool is_stale(const staleness_rule& rule, job_status status,
              bool reached_provider, std::optional<unix_ms> synced_at,
              unix_ms now);

} // namespace jobsync
