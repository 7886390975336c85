#pragma once

#include "model/result.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// The seven job statuses of the API, in lifecycle order.
enum class job_status : uint8_t {
  pending,
  uploading,
  queued,
  running,
  completed,
  failed,
  cancelled,
};

/// Every status, in declaration order (for counters and iteration).
inline constexpr std::array<job_status, 7> all_statuses = {
    job_status::pending,   job_status::uploading, job_status::queued,
    job_status::running,   job_status::completed, job_status::failed,
    job_status::cancelled,
};

/// The API word for a status ("pending", ...).
std::string_view to_string(job_status x);

/// Parses an API word; nullopt for anything else (case-sensitive).
std::optional<job_status> parse_status(std::string_view word);

/// pending, uploading, queued and running.
bool is_active(job_status x);

/// completed, failed and cancelled.
bool is_terminal(job_status x);

/// The answer for a job id the store does not hold (job_not_found).
failure unknown_job(const std::string& job_id);

/// The refusal of a cancel for a job that has ended (invalid_job_state).
failure cannot_cancel(const std::string& job_id, job_status x);

/// Position in the lifecycle: pending 0, uploading 1, queued 2, running 3,
/// any terminal status 4. A status change never lowers the rank.
int lifecycle_rank(job_status x);

/// Whether the API's job_type is "cloud" or "local".
enum class job_type : uint8_t { cloud, local };

/// "cloud" or "local".
std::string_view to_string(job_type x);

/// Parses "cloud" or "local" (case-sensitive).
std::optional<job_type> parse_job_type(std::string_view word);

} // namespace jobsync
