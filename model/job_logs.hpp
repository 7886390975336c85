#pragma once

#include "model/progress.hpp"
#include "model/timestamp.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace jobsync {

/// The stored end of a job's log and what the progress rules make of it.
/// Kept apart from the job so that list pages never carry log text.
struct job_logs {
  /// The last part of the log, starting at a line boundary when possible.
  std::string tail;
  /// Length in bytes of the whole log the tail was cut from; logs only grow.
  uint64_t total_bytes = 0;
  /// When the tail last came from the provider (webhook, poll or fetch),
  /// or the job's trainer last reported (local jobs).
  unix_ms updated_at = 0;
  /// compute_inline_progress(tail), computed when the tail changes; for a
  /// local job, what its trainer reported.
  inline_progress progress;

  friend bool operator==(const job_logs& a, const job_logs& b);
};

/// Replaces the stored tail with the end of `full_log` (the provider's
/// cumulative text) unless it is shorter than what was already seen (a late
/// delivery). Returns whether anything stored changed, including the
/// freshness time.
bool merge_logs(job_logs& stored, std::string_view full_log, size_t tail_bytes,
                unix_ms now);

/// Appends text a trainer reported (a log line, a notification) to the
/// stored tail as one line, keeps the last `tail_bytes`, and makes its last
/// line the job's last log line. Blank text changes nothing (false).
bool append_log_line(job_logs& stored, std::string_view text,
                     size_t tail_bytes);

/// The last `max_bytes` of `text`, moved forward to the next line start (or
/// at least to a UTF-8 character start) so that no line or character is cut.
std::string_view log_tail(std::string_view text, size_t max_bytes);

} // namespace jobsync
