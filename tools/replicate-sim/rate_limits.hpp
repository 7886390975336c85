#pragma once

#include <cstdint>
#include <mutex>

namespace jobsync::sim {

/// The headers of one response under Replicate's published limits.
struct rate_limit_state {
  /// Value of `ratelimit-remaining`.
  int64_t remaining = 0;
  /// Value of `ratelimit-reset` (seconds until the window resets).
  int64_t reset = 0;
  /// The request exceeded the limit.
  bool exceeded = false;
};

/// Fixed one-minute windows with Replicate's limits: 600 creates and
/// 3000 other requests per minute (tools/replicate-sim/README.md). Thread-safe.
class rate_limits {
public:
  /// Counts one request at `wall_ms`.
  rate_limit_state take(bool create, int64_t wall_ms);

private:
  struct window {
    int64_t minute = -1;
    int64_t used = 0;
  };

  std::mutex mtx_;
  window create_;
  window other_;
};

} // namespace jobsync::sim
