#pragma once

#include <string>
#include <utility>

// Distinct types for the three kinds of name a message can carry, so that
// a handler cannot be given a provider's id where it expects jobsync's.

namespace jobsync {

/// A job by jobsync's id (`job_id` in the API).
struct job_ref {
  std::string value;
};

/// A job by its provider's id (`external_id`; Replicate's prediction id).
struct provider_job_ref {
  std::string value;
};

/// A provider by its name in jobs, routes and configuration keys.
struct provider_name {
  std::string value;
};

/// Equality by value (tests and lookups).
inline bool operator==(const job_ref& a, const job_ref& b) {
  return a.value == b.value;
}
inline bool operator==(const provider_job_ref& a, const provider_job_ref& b) {
  return a.value == b.value;
}
inline bool operator==(const provider_name& a, const provider_name& b) {
  return a.value == b.value;
}

} // namespace jobsync
