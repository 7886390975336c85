#pragma once

#include "model/status.hpp"
#include "model/timestamp.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// Metadata values are kept as raw JSON texts keyed by name, so any JSON
/// value the provider sends (strings, objects such as `urls`) round-trips.
using metadata_map = std::map<std::string, std::string>;

/// The job object of the API (derived fields are computed, not stored).
struct job {
  std::string job_id;
  job_type type = job_type::cloud;
  std::optional<std::string> provider;
  job_status status = job_status::pending;
  std::optional<std::string> provider_status;
  std::optional<std::string> config_name;
  std::string created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> completed_at;
  std::optional<double> cost_usd;
  std::optional<std::string> hardware_type;
  std::optional<std::string> error_message;
  std::optional<std::string> output_url;
  metadata_map metadata;
  /// The provider's id for this job (Replicate's prediction id); empty for
  /// jobs that never reached a provider.
  std::string external_id;
  /// When the provider last confirmed the stored state (a list page, a
  /// fetch or a verified webhook said so); empty when it never did, or
  /// when the job was stored before jobsync recorded it. Not one of the
  /// rendered members: list pages derive `synced_at` and `stale` at read
  /// time, so a confirmation does not re-render the job.
  std::optional<unix_ms> synced_at;

  friend bool operator==(const job& a, const job& b);
  friend bool operator!=(const job& a, const job& b) {
    return !(a == b);
  }
};

/// `created_at` as milliseconds, the sort key of newest-first pages; 0 when
/// the stored text does not parse.
unix_ms created_ms(const job& x);

/// What a job's duration follows from: nothing (not started, a timestamp
/// that does not parse, or finished without an end), a fixed run (start to
/// end), or a run still going (start to now). It is fixed when the job is
/// written, so a stored job renders its duration without being decoded.
struct duration_basis {
  enum class kind : uint8_t { unknown, fixed, running };
  kind how = kind::unknown;
  /// The run's length (fixed) or its start (running), in milliseconds.
  int64_t ms = 0;
};

/// Longest job id jobsync keeps: LMDB keys stop at 511 bytes, and a job's
/// id starts the keys of what the store keeps beside it.
inline constexpr size_t max_job_id_bytes = 256;

/// Whether a job id can be kept: at most max_job_id_bytes of well-formed
/// UTF-8 without control characters (a 0 byte ends a job's id in the keys
/// kept beside it; PostgreSQL refuses a 0 byte or malformed UTF-8 in any
/// query). One key that cannot be stored would fail a whole group commit,
/// so ids from outside are checked before they reach the registry's
/// transaction.
bool storable_job_id(std::string_view id);

/// The duration basis of a job as it stands.
duration_basis duration_basis_of(const job& x);

/// The duration in milliseconds at `now` (never negative); nullopt when
/// unknown.
std::optional<int64_t> duration_ms(const duration_basis& b, unix_ms now);

/// A job as the API shows it, in the two parts that change at different
/// times: the members rendered when the job is written (`"job_id":...`
/// through `"metadata":{...}`, without braces) and what derives from the
/// clock at read time. Pages of stored jobs are served from these.
struct rendered_job {
  std::string job_id;
  std::string members;
  job_status status = job_status::pending;
  duration_basis duration;
  /// The job has the provider's id (it can be confirmed, so it can be
  /// stale).
  bool reached_provider = false;
  std::optional<unix_ms> synced_at;
};

} // namespace jobsync
