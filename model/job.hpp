#pragma once

#include "model/status.hpp"
#include "model/timestamp.hpp"

#include <map>
#include <optional>
#include <string>

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

  friend bool operator==(const job& a, const job& b);
  friend bool operator!=(const job& a, const job& b) {
    return !(a == b);
  }
};

/// `created_at` as milliseconds, the sort key of newest-first pages; 0 when
/// the stored text does not parse.
unix_ms created_ms(const job& x);

/// completed_at (or `now` while unfinished) minus started_at, in seconds;
/// nullopt when the job has not started or a timestamp does not parse.
std::optional<double> duration_seconds(const job& x, unix_ms now);

} // namespace jobsync
