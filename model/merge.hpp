#pragma once

#include "model/job.hpp"
#include "model/provider_snapshot.hpp"

namespace jobsync {

/// What applying a snapshot did to a stored job.
struct merge_result {
  /// Any stored field differs afterwards.
  bool changed = false;
  /// The status differs afterwards.
  bool status_changed = false;
  job_status old_status = job_status::pending;
  job_status new_status = job_status::pending;
  /// The snapshot vouches for the stored state: its status is known and
  /// not behind the stored one (so the job's `synced_at` moves). A stale
  /// snapshot, or one with an unknown status word, confirms nothing.
  bool confirmed = false;
};

/// The job first seen in `s` (a discovery). Its id is the provider's id;
/// `now` stands in for a missing `created_at`, and is its `synced_at` when
/// the snapshot's status is known.
job job_from_snapshot(const provider_snapshot& s, unix_ms now);

/// Applies a provider snapshot to a stored job. The rules:
/// - a status only moves forward in the lifecycle (lifecycle_rank); a
///   terminal status is final, except jobsync's own verdict that the
///   provider lost the job (declare_lost): the provider's word about the
///   job, any status, replaces it;
/// - a snapshot whose status is behind the stored one (late or out of order)
///   is stale: it may fill fields that are still empty, never overwrite;
///   one with another terminal status leaves the error message empty (the
///   job did not end so);
/// - an unknown status word is kept in provider_status and changes no status;
/// - an empty value in the snapshot never erases a stored one;
/// - provider timestamps are stored verbatim.
merge_result apply_snapshot(job& stored, const provider_snapshot& s);

} // namespace jobsync
