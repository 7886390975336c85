#pragma once

#include <cstdint>
#include <string_view>

namespace jobsync {

/// Every failure the API can report; the names are the `error` codes of
/// docs/api.md and http/error_table maps each to its HTTP status.
enum class errc : uint8_t {
  bad_request = 1,
  unauthorized,
  forbidden,
  job_not_found,
  not_found,
  invalid_job_state,
  payload_too_large,
  rate_limited,
  provider_error,
  unavailable,
  timeout,
  internal,
  /// The path is served, but not with this method (405 with `Allow`).
  method_not_allowed,
};

/// The API code ("job_not_found", ...).
std::string_view to_string(errc x);

} // namespace jobsync
