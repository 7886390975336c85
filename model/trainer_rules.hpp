#pragma once

// What a trainer's report does to its local job: the per-job rules of
// `POST /callback` (docs/architecture.md, "Local runs").

#include "model/job.hpp"
#include "model/job_logs.hpp"
#include "model/trainer_event.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// The provider name of local runs (jobs reported by their own trainer).
inline constexpr std::string_view local_provider = "local";

/// The metadata member a job run by `jobsync-track` carries
/// (`"tracked_by": "jobsync-track"`).
inline constexpr std::string_view tracked_by_key = "tracked_by";

/// Longest error_message a report leaves on a failed job: the error text
/// first, then as much of the traceback's end as fits.
inline constexpr size_t max_trainer_error_bytes = 8192;

/// Whether trainer reports may change this job: a local run of the local
/// provider (never a cloud job that happens to share the id).
bool is_local_run(const job& x);

/// The local job that the first report about an unknown job id creates:
/// running since the report.
job local_job_from_event(const trainer_event& e, unix_ms received);

/// When a local job last heard from its trainer: its last report
/// (`synced_at`), else its creation.
unix_ms last_report_ms(const job& x);

/// Whether a local job is active and has had no report for `timeout` at
/// `at`.
bool is_silent(const job& x, std::chrono::milliseconds timeout, unix_ms at);

/// Fails a silent job at `at`: "No report from the trainer since <time>".
void fail_silent(job& x, unix_ms at);

/// Whether `jobsync-track` runs the job's command (its start report said
/// so): a cancel then reaches the process.
bool is_tracked(const job& x);

/// What a cancel through jobsync did to a local run, for its
/// `error_message`: whether the process was asked to stop.
std::string local_cancel_note(const job& x);

/// What applying one report did.
struct trainer_effect {
  /// A stored field of the job differs afterwards.
  bool job_changed = false;
  bool status_changed = false;
  job_status old_status = job_status::pending;
  /// The report's image becomes the job's newest validation image.
  bool keep_image = false;
};

/// Applies one report to a local job and its log/progress record, at
/// `received` (server time):
/// - `lifecycle.stage` `training_complete` completes the job (progress
///   100); `type: error`, an error-severity report whose status is failed,
///   error, fatal or crashed, and `training.status` failed or
///   training_failed fail it, keeping the error text and traceback as
///   `error_message` (bounded); `training.status` interrupted or cancelled
///   cancels it; completed or success completes it;
/// - a terminal job is final: later reports only add log lines;
/// - any other report keeps an active job running;
/// - progress never goes back: a report of an earlier step changes none of
///   the figures;
/// - stages: data setup and caches -> Preprocessing, validation ->
///   Validation, checkpoint and model saves -> Saving checkpoint, training
///   reports -> Training;
/// - `log.message` lines, notifications and errors feed the log tail (a
///   notification repeating the newest line is not added again);
/// - `logs.updated_at` becomes `received`: when the trainer last reported.
trainer_effect apply_trainer_event(job& x, job_logs& logs,
                                   const trainer_event& e, size_t tail_bytes,
                                   unix_ms received);

/// The stage a lifecycle stage key stands for; nullopt for keys that say
/// nothing about it (unknown keys, `training_abort`).
std::optional<std::string> stage_of_key(std::string_view key);

/// The error text a failure report carries: title and message (or error),
/// then the traceback, within max_trainer_error_bytes; nullopt when the
/// report says nothing.
std::optional<std::string> error_text_of(const trainer_event& e);

} // namespace jobsync
