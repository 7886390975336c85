#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// Milliseconds since the Unix epoch, UTC.
using unix_ms = int64_t;

/// A proleptic Gregorian calendar date.
struct civil_date {
  int64_t y;
  int m;
  int d;
};

/// Days since 1970-01-01 of a date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int m, int d);

/// The date of a day number (days since 1970-01-01).
civil_date civil_from_days(int64_t days);

/// Division that rounds toward negative infinity.
int64_t floor_div(int64_t a, int64_t b);

/// Parses an RFC 3339 date-time with 0 to 9 fractional digits and a `Z` or
/// `+hh:mm` / `-hh:mm` offset. Sub-millisecond digits are truncated.
std::optional<unix_ms> parse_rfc3339(std::string_view text);

/// Whether two RFC 3339 texts name the same instant, to the nanosecond
/// (`...12.17042Z` and `...12.170420Z` do). Texts that do not parse are
/// compared as text.
bool same_instant(std::string_view a, std::string_view b);

/// Formats as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
std::string format_rfc3339(unix_ms t);

/// Formats the UTC calendar day as `YYYY-MM-DD`.
std::string format_date(unix_ms t);

/// The current wall-clock time.
unix_ms now_ms();

} // namespace jobsync
