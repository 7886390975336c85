#include "providers/replicate/status.hpp"

namespace jobsync::providers::replicate {

std::optional<job_status> map_status(std::string_view word) {
  if (word == "starting")
    return job_status::queued;
  if (word == "processing")
    return job_status::running;
  if (word == "succeeded")
    return job_status::completed;
  if (word == "failed")
    return job_status::failed;
  if (word == "canceled" || word == "aborted")
    return job_status::cancelled;
  return std::nullopt;
}

} // namespace jobsync::providers::replicate
