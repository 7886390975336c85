#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace jobsync {

/// Counts failed attempts per client address in fixed one-minute windows.
/// The first `per_minute` failures of a window are allowed; the ones after
/// that are over the limit until the window ends. Only failures are
/// counted, so a client that also sends valid requests is never blocked
/// from those.
class failure_limiter {
public:
  using clock = std::chrono::steady_clock;

  /// The length of one window.
  static constexpr clock::duration window = std::chrono::minutes{1};

  explicit failure_limiter(int per_minute);

  /// What one more failure means for its address.
  struct verdict {
    /// The failure is over the limit.
    bool over = false;
    /// It is the first one over the limit in its window (worth a log line).
    bool crossed = false;
    /// How long until the address's window ends (when over).
    clock::duration wait{};
  };

  /// Records one failure of `address` at `now`.
  verdict record(const std::string& address, clock::time_point now);

  /// Forgets the addresses whose window has ended; returns how many.
  size_t prune(clock::time_point now);

  /// Addresses currently tracked.
  size_t size() const {
    return windows_.size();
  }

private:
  struct window_state {
    clock::time_point start;
    int failures = 0;
  };

  int per_minute_;
  std::unordered_map<std::string, window_state> windows_;
};

} // namespace jobsync
