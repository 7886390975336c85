#pragma once

#include "tools/replicate-sim/sim_time.hpp"

#include <chrono>
#include <mutex>

namespace jobsync::sim {

/// The emulator's notion of "now": starts at a chosen instant and runs at
/// `speed` times real time (0 freezes it); the admin API can jump it
/// forward. It never goes backwards, which is what lets job state be a pure
/// function of the clock. Thread-safe.
class virtual_clock {
public:
  /// Starts at virtual time `start`, running at `speed` (>= 0).
  virtual_clock(nanos start, double speed);

  /// The current virtual time.
  nanos now() const;

  /// Jumps forward by `delta` (negative values are ignored).
  void advance(nanos delta);

  /// Changes the speed from now on, without a jump.
  void set_speed(double speed);

  /// The current speed factor.
  double speed() const;

private:
  using steady = std::chrono::steady_clock;

  nanos now_locked(steady::time_point real) const;

  mutable std::mutex mtx_;
  nanos base_virtual_;
  steady::time_point base_real_;
  double speed_;
};

} // namespace jobsync::sim
