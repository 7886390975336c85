#include "tools/replicate-sim/rate_limits.hpp"

namespace jobsync::sim {

rate_limit_state rate_limits::take(bool create, int64_t wall_ms) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto& w = create ? create_ : other_;
  int64_t limit = create ? 600 : 3000;
  int64_t minute = wall_ms / 60000;
  if (w.minute != minute) {
    w.minute = minute;
    w.used = 0;
  }
  ++w.used;
  rate_limit_state out;
  out.remaining = w.used > limit ? 0 : limit - w.used;
  out.reset = (60000 - wall_ms % 60000 + 999) / 1000;
  out.exceeded = w.used > limit;
  return out;
}

} // namespace jobsync::sim
