#pragma once

#include "model/job.hpp"
#include "model/job_filter.hpp"
#include "model/job_logs.hpp"
#include "model/provider_snapshot.hpp"
#include "model/trainer_event.hpp"
#include "model/validation_image.hpp"
#include "model/writer_figures.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jobsync {

/// A committed change worth telling subscribers about: a job's status moved
/// (or the job was first discovered: `previous` is empty then).
struct job_changed {
  /// Grows by one per event, persisted with the change, so ids keep growing
  /// across restarts.
  uint64_t event_id = 0;
  std::string job_id;
  std::optional<std::string> provider;
  std::optional<job_status> previous;
  job_status status = job_status::pending;
  /// From the job's log tail, when known.
  std::optional<std::string> stage;
  std::optional<double> progress;
};

/// Settings to store beside the jobs in one transaction: key -> text
/// (`storage::write_view::put_setting`).
struct setting_batch {
  std::vector<std::pair<std::string, std::string>> values;
};

/// Snapshots to apply in one transaction.
struct snapshot_batch {
  std::vector<provider_snapshot> snapshots;
  /// Discovery (sync, webhooks) creates jobs it does not know; a refresh of
  /// known jobs (polling) must not resurrect a job deleted meanwhile.
  bool create_unknown = true;
};

/// What applying a batch did.
struct apply_summary {
  uint64_t created = 0;
  /// Known jobs whose stored fields changed.
  uint64_t updated = 0;
  uint64_t unchanged = 0;
  /// Unknown jobs skipped because the batch does not create.
  uint64_t skipped = 0;
  /// Status changes (and discoveries) emitted as events.
  uint64_t events = 0;
  /// The known jobs whose status the batch moved (a poll cycle counts the
  /// changes no webhook had delivered).
  std::vector<std::string> moved;
};

/// Jobs a provider answered 404 for in one poll cycle.
struct missing_jobs {
  std::string provider;
  /// For the lost message ("Replicate").
  std::string provider_label;
  /// The provider's ids of the jobs.
  std::vector<std::string> external_ids;
  /// A job unknown for this long is lost; zero: never.
  std::chrono::milliseconds lost_after{0};
  /// When the provider answered (Unix ms): the poller's clock decides, so
  /// that "for this long" is measured the way its cycles are timed.
  unix_ms at = 0;
};

/// Running local jobs whose trainer may have gone silent (the local
/// provider's liveness check).
struct silence_check {
  /// The jobs (jobsync's ids).
  std::vector<std::string> job_ids;
  /// A job with no report for this long fails.
  std::chrono::seconds timeout{0};
  /// When the check runs (Unix ms, the liveness actor's clock).
  unix_ms at = 0;
};

/// What the registry did with missing jobs.
struct missing_outcome {
  /// Jobs whose first 404 was noted now.
  uint64_t noted = 0;
  /// Jobs declared lost now (failed), by jobsync's id.
  std::vector<std::string> lost;
};

/// One webhook delivery, after its signature was checked.
struct webhook_delivery {
  std::string webhook_id;
  provider_snapshot snapshot;
  unix_ms received = 0;
};

/// What a webhook delivery did.
struct webhook_outcome {
  /// The webhook id had been applied before: nothing changed.
  bool duplicate = false;
  bool created = false;
  bool changed = false;
  std::string job_id;
  job_status status = job_status::pending;
};

/// What a trainer report did.
struct trainer_outcome {
  /// False when the report named no job: acknowledged and counted, applied
  /// to none.
  bool attributed = false;
  /// The report created the local job.
  bool created = false;
  std::string job_id;
  job_status status = job_status::pending;
};

/// A page request of `GET /api/cloud/jobs`.
struct list_query {
  job_filter filter;
  size_t limit = 50;
  size_t offset = 0;
};

/// A job with its stored log tail.
struct job_detail {
  job value;
  std::optional<job_logs> logs;
};

/// A job's compact progress (`GET /api/cloud/jobs/{job_id}/inline-progress`).
struct job_progress {
  std::string job_id;
  inline_progress progress;
};

/// A job's log text (`GET /api/cloud/jobs/{job_id}/logs`).
struct job_log_text {
  std::string job_id;
  std::string text;
  /// The provider answered; otherwise `text` is the stored tail.
  bool from_provider = false;
  /// Why the provider's text is missing, when it is.
  std::string note;
};

/// Whether the registry can still write.
struct registry_health {
  bool writable = true;
  /// Why not, when it cannot.
  std::string reason;
  writer_figures writer;
  uint64_t last_event_id = 0;
  /// Trainer reports committed, and how many of them named no job.
  uint64_t trainer_reports = 0;
  uint64_t unattributed_reports = 0;
};

} // namespace jobsync
