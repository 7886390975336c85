#include "actors/request_gate.hpp"

#include <algorithm>
#include <cmath>

namespace jobsync {

request_gate::request_gate(int per_minute, clock::time_point now)
    : rate_per_second_(std::max(per_minute, 1) / 60.0),
      capacity_(std::max(1.0, rate_per_second_ * 10.0)), tokens_(capacity_),
      last_(now), blocked_until_(now) {}

void request_gate::refill(clock::time_point now) const {
  if (now <= last_)
    return;
  std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(capacity_, tokens_ + elapsed.count() * rate_per_second_);
  last_ = now;
}

request_gate::clock::duration request_gate::delay(clock::time_point now) const {
  refill(now);
  clock::duration wait = clock::duration::zero();
  if (tokens_ < 1.0)
    wait = std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>((1.0 - tokens_) / rate_per_second_));
  if (blocked_until_ > now)
    wait = std::max(wait, blocked_until_ - now);
  return wait;
}

void request_gate::spend(clock::time_point now) {
  refill(now);
  tokens_ -= 1.0;
}

void request_gate::block_until(clock::time_point until) {
  blocked_until_ = std::max(blocked_until_, until);
}

std::optional<request_gate::clock::time_point>
request_gate::blocked_until(clock::time_point now) const {
  if (blocked_until_ > now)
    return blocked_until_;
  return std::nullopt;
}

std::chrono::milliseconds backoff_delay(uint32_t attempt,
                                        std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max,
                                        std::mt19937& rng) {
  if (attempt == 0)
    return std::chrono::milliseconds::zero();
  double base = static_cast<double>(initial.count())
                * std::pow(2.0, std::min<uint32_t>(attempt - 1, 30));
  base = std::min(base, static_cast<double>(max.count()));
  std::uniform_real_distribution<double> half_to_full{0.5, 1.0};
  return std::chrono::milliseconds{
      static_cast<int64_t>(base * half_to_full(rng))};
}

} // namespace jobsync
