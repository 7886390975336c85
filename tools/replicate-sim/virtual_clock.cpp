#include "tools/replicate-sim/virtual_clock.hpp"

namespace jobsync::sim {

virtual_clock::virtual_clock(nanos start, double speed)
    : base_virtual_(start), base_real_(steady::now()),
      speed_(speed < 0 ? 0 : speed) {}

nanos virtual_clock::now_locked(steady::time_point real) const {
  auto elapsed
      = std::chrono::duration_cast<std::chrono::nanoseconds>(real - base_real_)
            .count();
  return base_virtual_
         + static_cast<nanos>(static_cast<double>(elapsed) * speed_);
}

nanos virtual_clock::now() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return now_locked(steady::now());
}

void virtual_clock::advance(nanos delta) {
  if (delta <= 0)
    return;
  std::lock_guard<std::mutex> guard{mtx_};
  base_virtual_ += delta;
}

void virtual_clock::set_speed(double speed) {
  std::lock_guard<std::mutex> guard{mtx_};
  // Re-base at the current instant so the change applies only from now.
  auto real = steady::now();
  base_virtual_ = now_locked(real);
  base_real_ = real;
  speed_ = speed < 0 ? 0 : speed;
}

double virtual_clock::speed() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return speed_;
}

} // namespace jobsync::sim
