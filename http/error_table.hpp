#pragma once

#include "http/exchange.hpp"
#include "model/result.hpp"

namespace jobsync::http {

/// The HTTP status of an error code (the table of docs/api.md).
int status_of(errc code);

/// The JSON error response `{"detail": ..., "error": ...}` of a failure;
/// a rate_limited failure with a retry-after is answered with
/// `Retry-After`.
response error_response(const failure& f);

/// Shorthand for error_response(failure{code, detail}).
response error_response(errc code, std::string detail);

} // namespace jobsync::http
