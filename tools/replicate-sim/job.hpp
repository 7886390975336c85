#pragma once

#include "tools/replicate-sim/sim_time.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::sim {

/// Replicate's status values (tools/replicate-sim/README.md).
enum class job_status {
  starting,
  processing,
  succeeded,
  failed,
  canceled,
  aborted,
};

/// The wire name of a status.
const char* to_string(job_status x);

/// Parses a wire name.
std::optional<job_status> parse_status(std::string_view s);

/// Whether the status is final.
bool is_terminal(job_status x);

/// Which API a job belongs to.
enum class job_kind { prediction, training };

/// The wire name of the collection: `predictions` or `trainings`.
const char* collection_name(job_kind x);

/// Parses `predictions` / `trainings`.
std::optional<job_kind> parse_collection(std::string_view s);

/// What a job will do if nobody intervenes. Durations are virtual time.
struct job_plan {
  /// Time spent in `starting` (queue and boot).
  nanos starting = 0;
  /// Time spent in `processing` before the planned outcome happens.
  nanos processing = 0;
  /// Time all training steps would take; longer than `processing` for jobs
  /// that fail or get canceled part-way, so their logs stop mid-run.
  nanos full_run = 0;
  /// succeeded, failed or canceled.
  job_status outcome = job_status::succeeded;
  /// Total training steps shown in the logs.
  int steps = 1000;
};

/// Where an admin-fixed job is held until advanced.
enum class job_hold { none, starting, processing };

/// A forced terminal transition (cancel, admin advance, fixed status).
struct job_ending {
  /// When it happened.
  nanos at = 0;
  /// The terminal status.
  job_status status = job_status::canceled;
  /// When processing had started; nullopt for jobs that never started.
  std::optional<nanos> started;
};

/// Text appended to a job's logs by the admin API.
struct log_append {
  /// Virtual time of the append; orders it among generated lines.
  nanos at = 0;
  /// The text, appended verbatim.
  std::string text;
};

/// One prediction or training. Immutable facts plus a few overrides; its
/// visible state is computed from the clock by `phase_at`.
struct job {
  /// 26 lowercase alphanumerics.
  std::string id;
  /// Prediction or training.
  job_kind kind = job_kind::prediction;
  /// `owner/name`.
  std::string model;
  /// 64-hex version id.
  std::string version;
  /// The request input as compact JSON (an object).
  std::string input_json = "{}";
  /// Training destination `owner/name` (trainings only).
  std::string destination;
  /// `api` or `web`.
  std::string source = "api";
  /// Webhook URL given at creation.
  std::optional<std::string> webhook;
  /// Events filter given at creation (echoed back only when given).
  std::optional<std::vector<std::string>> webhook_events_filter;
  /// Creation time.
  nanos created = 0;
  /// From `Cancel-After`.
  std::optional<nanos> deadline;
  /// Per-job seed for every deterministic choice.
  uint64_t seed = 0;
  /// The natural course.
  job_plan plan;
  /// Admin hold.
  job_hold hold = job_hold::none;
  /// A forced start (admin advance to processing, fixed status).
  std::optional<nanos> forced_start;
  /// A forced end.
  std::optional<job_ending> ending;
  /// Admin log appends, in time order.
  std::vector<log_append> appends;
};

/// A job's visible lifecycle state at one instant.
struct job_phase {
  /// Status at that instant.
  job_status status = job_status::starting;
  /// When processing started, if it did.
  std::optional<nanos> started;
  /// When the job ended, if it did.
  std::optional<nanos> completed;
  /// Whether `output` is non-null.
  bool has_output = false;
};

/// The state of `j` at time `t` (t must not precede earlier queries).
job_phase phase_at(const job& j, nanos t);

/// Forces `j` into `to` at `now`: `processing` from `starting`, or any
/// terminal status from a non-terminal one. Returns an error text when the
/// transition is not possible.
std::optional<std::string> force_transition(job& j, job_status to, nanos now);

/// Applies an admin-fixed initial status to a freshly planned job created
/// at `j.created` (which the caller already placed so that the status is
/// reachable by `now`).
void apply_fixed_status(job& j, job_status status, nanos now);

} // namespace jobsync::sim
