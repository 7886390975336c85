#pragma once

#include "http/exchange.hpp"
#include "model/result.hpp"

namespace jobsync::http {

/// The HTTP status of an error code (the table of docs/api.md).
int status_of(errc code);

/// The JSON error response `{"detail": ..., "error": ...}` of a failure;
/// rate_limited answers carry `Retry-After` when `retry_after_seconds` > 0.
response error_response(const failure& f, int retry_after_seconds = 0);

/// Shorthand for error_response(failure{code, detail}).
response error_response(errc code, std::string detail);

} // namespace jobsync::http
