#pragma once

// The reports of one SimpleTuner training run, in the order and shape its
// trainer sends them (setup stages and caches, the twice-sent
// configuration notification, a status per optimizer step, checkpoints with
// their duplicate status, validation with real images, the final save and
// training_complete), and the variants that end otherwise.

#include "tools/report-client/py_json.hpp"

#include <optional>
#include <string>
#include <vector>

namespace jobsync::tools {

/// How a replayed run goes.
enum class run_kind {
  /// Start to training_complete.
  full,
  /// Fails after a few steps: `error`, then `training.status` failed.
  crash,
  /// Stops after a few steps without a word (SIGKILL, OOM killer).
  killed,
  /// Only step reports, back to back (the training loop at full speed).
  burst,
};

/// Parses full, crash, killed or burst.
std::optional<run_kind> parse_run_kind(const std::string& word);

/// What to replay.
struct run_plan {
  run_kind kind = run_kind::full;
  /// SIMPLETUNER_JOB_ID; nullopt: the trainer has none (job_id null or
  /// absent, as the trainer sends it then).
  std::optional<std::string> job_id;
  /// Optimizer steps of the run.
  int steps = 12;
  /// A checkpoint and a validation every this many steps.
  int checkpoint_every = 6;
  /// Width and height of validation images.
  int image_size = 256;
  /// The callback key, which training_complete carries inside
  /// data.state.args (the receiver must never keep it).
  std::string api_key = "st_FAKEfakeFAKEfakeFAKEfakeFAKEfake";
};

/// One report to send; its timestamp is added when it is sent.
struct planned_report {
  py_value body;
  /// The PNG inside it, for validation reports.
  std::string image;
};

/// The reports of a run, in order.
std::vector<planned_report> plan_run(const run_plan& plan);

} // namespace jobsync::tools
