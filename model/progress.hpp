#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// The compact progress of a running job, derived from its recent log lines
/// (cloud jobs) or reported by its trainer (local jobs).
struct inline_progress {
  std::optional<std::string> stage;
  std::optional<std::string> last_log;
  std::optional<double> progress;
  /// Only trainers report these (local jobs); log lines never set them.
  std::optional<int64_t> step;
  std::optional<int64_t> total_steps;
  std::optional<double> eta_seconds;
  std::optional<double> loss;
  std::optional<double> learning_rate;

  friend bool operator==(const inline_progress& a, const inline_progress& b);
  friend bool operator!=(const inline_progress& a, const inline_progress& b) {
    return !(a == b);
  }
};

/// Applies the progress rules of docs/api.md to a log text (newest line
/// last). Lines are split on `\n` and `\r` (a tqdm bar redraws itself
/// after `\r`, so its newest state is the last segment); blank lines are
/// skipped. On a training line the progress is a tqdm bar's own `n/N`
/// counts, else `step a/b`, else `epoch a/b`. An empty log gives all
/// nulls: nothing is known yet.
inline_progress compute_inline_progress(std::string_view log_text);

/// Trims whitespace and cuts to `max_chars` characters (UTF-8 code points):
/// longer text keeps `max_chars - 3` characters and gets `...`. A UTF-8
/// sequence is never split.
std::string truncate_chars(std::string_view line, size_t max_chars = 80);

/// Rounds to one decimal as Python's round(x, 1) does: correctly rounded
/// from the exact binary value, ties to even.
double round_one_decimal(double x);

} // namespace jobsync
