#pragma once

#include "model/timestamp.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace jobsync::providers {

/// Parses an IMF-fixdate (RFC 1123 form, as RFC 9110 requires for HTTP
/// dates): `Sun, 06 Nov 1994 08:49:37 GMT`. `UTC` is accepted for `GMT`.
std::optional<unix_ms> parse_http_date(std::string_view text);

/// Reads a `Retry-After` header value: a number of seconds or an HTTP date.
/// A date is turned into the delay from `now` (0 when it is past).
/// Anything else gives nullopt.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      unix_ms now);

/// Reads a non-negative decimal integer (surrounding blanks allowed; a
/// fractional part is rounded up, for `ratelimit-reset: 0.5`); nullopt for
/// anything else or for values too large to be meant.
std::optional<int64_t> parse_header_count(std::string_view value);

} // namespace jobsync::providers
