#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::sim {

/// Nanoseconds since the Unix epoch (virtual or wall time, UTC).
using nanos = int64_t;

/// One second in nanoseconds.
constexpr nanos ns_per_second = 1'000'000'000;

/// Seconds (possibly fractional) as nanoseconds.
nanos seconds_to_ns(double seconds);

/// Formats as RFC 3339 UTC with exactly `digits` (0..9) fractional digits,
/// truncating, e.g. `2025-06-08T12:06:15.12754301Z` for 8 digits.
std::string format_time(nanos t, int digits);

/// Parses an RFC 3339 / ISO 8601 date-time with 0 to 9 fractional digits
/// and `Z` or a `+hh:mm` / `-hh:mm` offset (`+hhmm` also accepted).
std::optional<nanos> parse_time(std::string_view text);

/// Formats Unix seconds as an IMF-fixdate (RFC 9110), the HTTP-date form of
/// `Retry-After`: `Sun, 06 Nov 1994 08:49:37 GMT`.
std::string format_http_date(int64_t unix_seconds);

/// The current wall-clock time.
nanos wall_now();

/// The current wall-clock time in milliseconds.
int64_t wall_now_ms();

} // namespace jobsync::sim
