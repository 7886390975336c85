#pragma once

#include "model/job.hpp"

#include <optional>
#include <string>

namespace jobsync::test {

/// A job for seeding a store: a cloud job of `provider` (its external id
/// is the job id), or a local one without a provider.
inline job make_job(const std::string& id, job_status status, unix_ms created,
                    std::optional<std::string> provider = "replicate") {
  job x;
  x.job_id = id;
  x.external_id = provider ? id : "";
  x.provider = provider;
  x.type = provider ? job_type::cloud : job_type::local;
  x.status = status;
  x.created_at = format_rfc3339(created);
  return x;
}

} // namespace jobsync::test
