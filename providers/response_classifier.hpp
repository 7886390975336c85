#pragma once

#include "model/result.hpp"
#include "model/timestamp.hpp"
#include "providers/http_client.hpp"
#include "providers/provider.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::providers {

/// Copies the `ratelimit-remaining` and `ratelimit-reset` headers (names
/// lower-cased, as http_response keeps them) into `facts`; a header that is
/// missing leaves its field as it was.
void read_rate_limit(const std::map<std::string, std::string>& headers,
                     rate_limit_facts& facts);

/// The provider's own explanation in a problem+json error body: `detail`,
/// else `title`, else a short excerpt of a non-JSON body; empty when the
/// body says nothing.
std::string problem_detail(std::string_view body);

/// The failure a response stands for, or nullopt for a 2xx response that
/// arrived whole. 401 unauthorized, 404 not_found, 429 rate_limited (with
/// the delay from `Retry-After` or the body's `retry_after`), other 4xx
/// bad_request, 5xx and unexpected statuses provider_error; a deadline
/// that passed is timeout, a failed connection unavailable. Every message
/// names the provider and the HTTP status. `provider` names the provider.
std::optional<failure> classify_response(const http_response& r,
                                         std::string_view provider,
                                         unix_ms now);

/// The failure (provider_error) of a response to `what` ("GET <url>")
/// whose body was not as expected, for `reason`.
failure malformed_response(std::string_view provider, std::string_view what,
                           std::string_view reason);

} // namespace jobsync::providers
