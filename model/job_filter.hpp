#pragma once

#include "model/job.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobsync {

/// The filters of `GET /api/cloud/jobs`; an empty filter matches every job.
struct job_filter {
  /// Bit i set: status i matches. 0 means any status.
  uint8_t status_mask = 0;
  std::optional<std::string> provider;
  std::optional<job_type> type;

  /// Adds one status to the accepted set.
  void allow(job_status x) {
    status_mask
        = static_cast<uint8_t>(status_mask | (1u << static_cast<unsigned>(x)));
  }

  /// Whether a job with these attributes matches.
  bool matches(job_status status, job_type job_kind,
               const std::optional<std::string>& job_provider) const {
    if (status_mask != 0
        && (status_mask & (1u << static_cast<unsigned>(status))) == 0)
      return false;
    if (type && *type != job_kind)
      return false;
    if (provider && job_provider != provider)
      return false;
    return true;
  }
};

/// One newest-first page of jobs, rendered for the API, and the number of
/// all matching jobs.
struct job_page {
  std::vector<rendered_job> jobs;
  uint64_t total = 0;
};

} // namespace jobsync
