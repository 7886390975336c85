#pragma once

#include "model/timestamp.hpp"
#include "providers/http_client.hpp"
#include "providers/provider_error.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::providers {

/// The `ratelimit-remaining` and `ratelimit-reset` headers (names
/// lower-cased, as http_response keeps them).
rate_limit_info
read_rate_limit(const std::map<std::string, std::string>& headers);

/// The provider's own explanation in a problem+json error body: `detail`,
/// else `title`, else a short excerpt of a non-JSON body; empty when the
/// body says nothing.
std::string problem_detail(std::string_view body);

/// The error a response stands for, or nullopt for a 2xx response that
/// arrived whole. 401 unauthorized, 404 not_found, 429 rate_limited (with
/// the delay from `Retry-After` or the body's `retry_after`), other 4xx
/// invalid, 5xx and unexpected statuses provider_failure; transfer errors
/// become timeout or network. `provider` names the provider in messages.
std::optional<provider_error> classify_response(const http_response& r,
                                                std::string_view provider,
                                                unix_ms now);

/// A `malformed` error: the response to `what` ("GET <url>") arrived with
/// `http_status` but its body was not as expected, for `reason`.
provider_error malformed_response(std::string_view provider,
                                  std::string_view what,
                                  std::string_view reason, long http_status);

} // namespace jobsync::providers
