#pragma once

#include "tools/replicate-sim/sim_time.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace jobsync::sim {

/// What the log script of one job depends on.
struct log_script {
  /// The job's seed (loss noise, redraws, dataset size).
  uint64_t seed = 0;
  /// Total training steps.
  int steps = 1000;
  /// Time all steps would take; lines are placed by fraction of it.
  nanos full_run = 0;
  /// `owner/name` of the model, shown in the header lines.
  std::string_view model;
};

/// How the generated log ends.
enum class log_ending {
  /// Still running, canceled or aborted: no closing lines.
  none,
  /// Training summary and upload lines.
  succeeded,
  /// A Python traceback ending in `failure_message`.
  failed,
};

/// Visits the log chunks a job has written `elapsed` after it started, in
/// order, each with its offset from the start and its text (whole lines,
/// newline-terminated; tqdm redraws contain `\r`). The script is:
/// setup and dataset preprocessing in the first 5% of `full_run`, then
/// one progress chunk per 1% of the steps (tqdm bar, `Step n/N - loss`
/// lines, validation and `Saving checkpoint at step n` at quarters), then
/// the closing lines of `ending` at offset `elapsed`. With
/// `allow_last_step` false the final step is withheld (a job held in
/// processing never looks finished).
void generate_logs(const log_script& script, nanos elapsed,
                   bool allow_last_step, log_ending ending,
                   const std::function<void(nanos, std::string_view)>& visit);

/// The number of chunks `generate_logs` would visit, computed without
/// formatting any text (webhook change detection runs it often).
size_t count_log_chunks(const log_script& script, nanos elapsed,
                        bool allow_last_step, log_ending ending);

/// The `error` string of a failed job (also the traceback's last line).
std::string failure_message(uint64_t seed);

} // namespace jobsync::sim
