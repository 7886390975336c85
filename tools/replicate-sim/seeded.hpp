#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Deterministic pseudo-randomness: every "random" choice of the emulator is
// a hash of the run's seed and a stable label, so one seed always yields the
// same ids, durations, outcomes and log text.

namespace jobsync::sim {

/// The SplitMix64 finalizer: a strong 64-bit mixing function.
uint64_t mix64(uint64_t x);

/// Combines a hash with another value (order matters).
uint64_t hash_combine(uint64_t h, uint64_t v);

/// A stable 64-bit hash of a string (FNV-1a followed by mix64).
uint64_t hash_string(std::string_view s);

/// Combines a hash with a string label.
uint64_t hash_combine(uint64_t h, std::string_view label);

/// Maps a hash to [0, 1).
double unit_interval(uint64_t h);

/// Maps a hash to [lo, hi).
double uniform(uint64_t h, double lo, double hi);

/// A 26-character lowercase alphanumeric id, like Replicate's.
std::string make_job_id(uint64_t h);

/// `n` characters of [A-Za-z0-9], e.g. for webhook message ids.
std::string make_base62(uint64_t h, size_t n);

/// `n` lowercase hex digits derived from `h`.
std::string make_hex(uint64_t h, size_t n);

/// Lowercase hex SHA-256 of `text` (64 characters), used for version ids.
std::string sha256_hex(std::string_view text);

/// A sequential generator for places that draw many values in order
/// (seeded jobs, fault probabilities).
class seeded_rng {
public:
  /// Starts the sequence at `seed`.
  explicit seeded_rng(uint64_t seed) : state_(seed) {}

  /// The next 64-bit value.
  uint64_t next();

  /// The next value in [0, 1).
  double next_unit() {
    return unit_interval(next());
  }

private:
  uint64_t state_;
};

} // namespace jobsync::sim
