#pragma once

#include "model/provider_snapshot.hpp"

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// How a Replicate job is priced. Replicate's API has no prices, so cost is
/// derived from `metrics.predict_time` and a per-hardware table that the
/// configuration provides (defaults follow SimpleTuner's table).
struct replicate_pricing {
  /// SKU assumed for a model that `model_hardware` does not name.
  std::string default_hardware = "gpu-l40s";
  /// SKU -> US dollars per second of predict_time.
  std::map<std::string, double> hardware_prices = {
      {"gpu-l40s", 0.000972222},
      {"gpu-h100", 0.001525},
  };
  /// SKU -> label stored as the job's hardware_type.
  std::map<std::string, std::string> hardware_names = {
      {"gpu-l40s", "L40S (48GB)"},
      {"gpu-h100", "H100 (80GB)"},
  };
  /// Model ("owner/name") -> SKU, for accounts that run several trainers.
  std::map<std::string, std::string> model_hardware;
};

/// The outcome of reading one prediction or training object: a snapshot,
/// or the reason the body is not such an object.
struct replicate_parse_result {
  std::optional<provider_snapshot> snapshot;
  /// Why the body was refused; empty when `snapshot` is set.
  std::string error;

  /// Whether a snapshot was produced.
  explicit operator bool() const {
    return snapshot.has_value();
  }
};

/// Maps a Replicate prediction or training object (a list entry, a GET or
/// cancel answer, or a webhook body) into a provider snapshot. Refuses only
/// bodies without a usable identity: not an object, `id` or `status`
/// missing, not a string, or empty. Every other field is optional and a
/// value of the wrong type or format is treated as absent.
replicate_parse_result parse_replicate_job(const rapidjson::Value& body,
                                           const replicate_pricing& pricing,
                                           std::string_view provider_name);

/// Same as parse_replicate_job, from the raw JSON text (a webhook body);
/// text that is not JSON is refused with the parser's reason.
replicate_parse_result
parse_replicate_job_json(std::string_view text,
                         const replicate_pricing& pricing,
                         std::string_view provider_name);

/// Whether `text` is an absolute http:// or https:// URL (the only output
/// values kept as a job's output_url).
bool is_http_url(std::string_view text);

} // namespace jobsync
