#pragma once

#include "tools/replicate-sim/seeded.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::sim {

/// What an injected fault does to a request.
enum class fault_kind {
  /// Answer with `status` (problem+json; 429 and 503 with Retry-After).
  status,
  /// Answer normally after `delay_ms`.
  slow,
  /// Close the connection without any response.
  drop,
  /// Answer 200 with a body that is not valid JSON.
  malformed,
};

/// The wire name of a fault kind.
const char* to_string(fault_kind x);

/// Parses a wire name.
std::optional<fault_kind> parse_fault_kind(std::string_view s);

/// The endpoint names faults and stats use: list, get, cancel, create,
/// account, secret, hardware, other.
bool is_fault_endpoint(std::string_view s);

/// One fault rule, as posted to `/_admin/faults`.
struct fault_rule {
  /// Assigned on insertion.
  int id = 0;
  /// An endpoint name or `*`.
  std::string endpoint = "*";
  /// What happens.
  fault_kind kind = fault_kind::status;
  /// HTTP status for `status` faults.
  int status = 503;
  /// Seconds for the Retry-After header and the `retry_after` field.
  std::optional<int> retry_after;
  /// Send Retry-After as an HTTP date instead of seconds.
  bool retry_after_date = false;
  /// Delay for `slow` faults.
  int delay_ms = 0;
  /// Chance that a matching request is hit.
  double probability = 1.0;
  /// Remaining hits; nullopt = unlimited.
  std::optional<int> remaining;
  /// Requests hit so far.
  int hits = 0;
};

/// The active fault rules. The first matching rule whose (seeded)
/// probability roll succeeds hits the request; exhausted rules are
/// dropped. Thread-safe.
class fault_table {
public:
  /// Probability rolls draw from a sequence seeded with `seed`.
  explicit fault_table(uint64_t seed) : rng_(hash_combine(seed, "faults")) {}

  /// Adds a rule and returns its id.
  int add(fault_rule rule);

  /// Removes every rule; returns how many there were.
  size_t clear();

  /// The rule that hits a request to `endpoint`, if any (consumes a count).
  std::optional<fault_rule> take(std::string_view endpoint);

  /// The active rules.
  std::vector<fault_rule> rules() const;

private:
  mutable std::mutex mtx_;
  std::vector<fault_rule> rules_;
  int next_id_ = 1;
  seeded_rng rng_;
};

} // namespace jobsync::sim
