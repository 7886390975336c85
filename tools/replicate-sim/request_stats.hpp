#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::sim {

/// Webhook delivery counters (every attempt counts once in `sent`).
struct webhook_counters {
  /// HTTP attempts made.
  uint64_t sent = 0;
  /// Attempts answered with 2xx.
  uint64_t succeeded = 0;
  /// Attempts answered otherwise or not at all.
  uint64_t failed = 0;
  /// Attempts that were retries of an earlier failed one.
  uint64_t retried = 0;
  /// Messages dropped by a drop rule (never sent, never retried).
  uint64_t dropped = 0;
};

/// What tests observe about the traffic jobsync sends to the emulator:
/// requests per endpoint, GET times per job, and requests that ignored a
/// Retry-After. Thread-safe.
class request_stats {
public:
  /// Records a `/v1` request to `endpoint` (see is_fault_endpoint) that
  /// arrived at `wall_ms`; `job_id` is set for `get`, `token` is the
  /// bearer token it carried (empty: none), so tests can tell clients
  /// apart (several jobsyncd replicas, each with its own token).
  void record(std::string_view endpoint, std::string_view job_id,
              int64_t wall_ms, std::string_view token = {});

  /// A Retry-After was sent that asks clients to wait until `until_ms`.
  void note_retry_after(int64_t until_ms);

  /// The `/_admin/stats` body.
  std::string to_json(const webhook_counters& webhooks) const;

  /// Zeroes every counter (a pending Retry-After keeps counting).
  void reset();

private:
  mutable std::mutex mtx_;
  std::map<std::string, uint64_t, std::less<>> requests_;
  uint64_t total_ = 0;
  std::map<std::string, uint64_t, std::less<>> by_token_;
  std::map<std::string, std::vector<int64_t>, std::less<>> gets_by_job_;
  uint64_t early_ = 0;
  int64_t retry_until_ms_ = 0;
};

} // namespace jobsync::sim
