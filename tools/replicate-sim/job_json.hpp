#pragma once

#include "model/json.hpp"
#include "tools/replicate-sim/job.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace jobsync::sim {

/// How to render a job.
struct render_options {
  /// Public API base, e.g. `http://127.0.0.1:8080/v1`, for `urls`.
  std::string_view base_url;
  /// The create response of a training points its `urls` at
  /// `/v1/predictions/...` (a quirk seen in real responses).
  bool create_response = false;
};

/// The job's `logs` at `now` (nullopt renders as JSON null): generated
/// training output interleaved with admin appends by time.
std::optional<std::string> job_logs(const job& j, const job_phase& p,
                                    nanos now);

/// A number that grows whenever `job_logs` would return more text; cheap.
size_t job_log_version(const job& j, const job_phase& p, nanos now);

/// Writes the prediction or training object (tools/replicate-sim/README.md).
void write_job(json_writer& w, const job& j, nanos now,
               const render_options& options);

/// The prediction or training object as compact JSON.
std::string job_to_json(const job& j, nanos now, const render_options& options);

} // namespace jobsync::sim
