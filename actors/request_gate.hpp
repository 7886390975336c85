#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace jobsync {

/// Decides when the next request to a provider may go out: a token bucket
/// keeps the configured share of the provider's rate limit, and a
/// Retry-After from the provider closes the gate until it has passed.
class request_gate {
public:
  using clock = std::chrono::steady_clock;

  /// `per_minute` requests per minute on average, bursts of up to ten
  /// seconds' worth.
  request_gate(int per_minute, clock::time_point now);

  /// How long to wait before a request may go out (zero: now).
  clock::duration delay(clock::time_point now) const;

  /// Records a request going out now.
  void spend(clock::time_point now);

  /// Closes the gate until `until` (the provider's Retry-After).
  void block_until(clock::time_point until);

  /// When the gate reopens after a Retry-After, if it is closed.
  std::optional<clock::time_point> blocked_until(clock::time_point now) const;

private:
  void refill(clock::time_point now) const;

  double rate_per_second_;
  double capacity_;
  mutable double tokens_;
  mutable clock::time_point last_;
  clock::time_point blocked_until_;
};

/// Exponential backoff with jitter: attempt n waits a random time between
/// half and all of initial * 2^(n-1), capped at max.
std::chrono::milliseconds backoff_delay(uint32_t attempt,
                                        std::chrono::milliseconds initial,
                                        std::chrono::milliseconds max,
                                        std::mt19937& rng);

} // namespace jobsync
