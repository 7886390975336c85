#include "actors/failure_limiter.hpp"

namespace jobsync {

namespace {

// Bounds memory under a flood from many addresses: expired windows are
// swept on the way in once this many addresses are tracked.
constexpr size_t sweep_threshold = 4096;

} // namespace

failure_limiter::failure_limiter(int per_minute) : per_minute_(per_minute) {}

failure_limiter::verdict failure_limiter::record(const std::string& address,
                                                 clock::time_point now) {
  if (windows_.size() >= sweep_threshold)
    prune(now);
  auto& w = windows_[address];
  if (w.failures == 0 || now - w.start >= window) {
    w.start = now;
    w.failures = 0;
  }
  verdict out;
  // The count saturates just over the limit: an endless flood cannot
  // overflow it.
  if (w.failures <= per_minute_) {
    ++w.failures;
    out.crossed = w.failures == per_minute_ + 1;
  }
  out.over = w.failures > per_minute_;
  if (out.over)
    out.wait = w.start + window - now;
  return out;
}

size_t failure_limiter::prune(clock::time_point now) {
  size_t removed = 0;
  for (auto i = windows_.begin(); i != windows_.end();) {
    if (now - i->second.start >= window) {
      i = windows_.erase(i);
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

} // namespace jobsync
