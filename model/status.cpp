#include "model/status.hpp"

namespace jobsync {

std::string_view to_string(job_status x) {
  switch (x) {
  case job_status::pending:
    return "pending";
  case job_status::uploading:
    return "uploading";
  case job_status::queued:
    return "queued";
  case job_status::running:
    return "running";
  case job_status::completed:
    return "completed";
  case job_status::failed:
    return "failed";
  case job_status::cancelled:
    return "cancelled";
  }
  return "pending";
}

std::optional<job_status> parse_status(std::string_view word) {
  for (auto x : all_statuses)
    if (to_string(x) == word)
      return x;
  return std::nullopt;
}

bool is_terminal(job_status x) {
  return x == job_status::completed || x == job_status::failed
         || x == job_status::cancelled;
}

failure unknown_job(const std::string& job_id) {
  return {errc::job_not_found, "Job not found: " + job_id};
}

failure cannot_cancel(const std::string& job_id, job_status x) {
  return {errc::invalid_job_state,
          "Job " + job_id + " is already " + std::string{to_string(x)}
              + "; only pending, uploading, queued or running jobs can be "
                "cancelled"};
}

bool is_active(job_status x) {
  return !is_terminal(x);
}

int lifecycle_rank(job_status x) {
  return is_terminal(x) ? 4 : static_cast<int>(x);
}

std::string_view to_string(job_type x) {
  return x == job_type::cloud ? "cloud" : "local";
}

std::optional<job_type> parse_job_type(std::string_view word) {
  if (word == "cloud")
    return job_type::cloud;
  if (word == "local")
    return job_type::local;
  return std::nullopt;
}

} // namespace jobsync
