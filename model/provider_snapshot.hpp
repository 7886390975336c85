#pragma once

#include "model/job.hpp"

#include <optional>
#include <string>

namespace jobsync {

/// What a provider said about one job at one moment (a list entry, a GET,
/// or a webhook body), already mapped into the model's vocabulary. An empty
/// optional means "the provider did not say", never "erase".
struct provider_snapshot {
  std::string provider;
  std::string external_id;
  /// The provider's own status word, verbatim ("processing", "aborted").
  std::string provider_status;
  /// The mapped status; nullopt when the word is unknown.
  std::optional<job_status> status;
  std::optional<std::string> created_at;
  std::optional<std::string> started_at;
  std::optional<std::string> completed_at;
  std::optional<double> cost_usd;
  std::optional<std::string> hardware_type;
  std::optional<std::string> error_message;
  std::optional<std::string> output_url;
  std::optional<std::string> config_name;
  /// The full cumulative log text, when the provider sent one.
  std::optional<std::string> logs;
  /// Non-null metadata values (raw JSON texts).
  metadata_map metadata;
};

} // namespace jobsync
