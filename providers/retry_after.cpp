#include "providers/retry_after.hpp"

#include <array>
#include <string>

namespace jobsync::providers {

namespace {

std::string_view trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s)
    if (c < '0' || c > '9')
      return false;
  return true;
}

constexpr std::array<std::string_view, 7> weekdays
    = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> months
    = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Eighteen digits stay far below int64 overflow; longer values are not
// plausible delays or counts.
constexpr size_t max_digits = 18;

} // namespace

std::optional<unix_ms> parse_http_date(std::string_view text) {
  text = trim(text);
  // "Sun, 06 Nov 1994 08:49:37 GMT" is exactly 29 characters.
  if (text.size() != 29 || text[3] != ',' || text[4] != ' ' || text[7] != ' '
      || text[11] != ' ' || text[16] != ' ' || text[25] != ' ')
    return std::nullopt;
  bool weekday_ok = false;
  for (auto w : weekdays)
    weekday_ok = weekday_ok || text.substr(0, 3) == w;
  if (!weekday_ok)
    return std::nullopt;
  auto zone = text.substr(26);
  if (zone != "GMT" && zone != "UTC")
    return std::nullopt;
  int month = 0;
  for (size_t i = 0; i < months.size(); ++i)
    if (text.substr(8, 3) == months[i])
      month = static_cast<int>(i) + 1;
  if (month == 0)
    return std::nullopt;
  auto day = text.substr(5, 2);
  auto year = text.substr(12, 4);
  auto time = text.substr(17, 8);
  if (!all_digits(day) || !all_digits(year))
    return std::nullopt;
  // The RFC 3339 parser validates the clock part and does the calendar
  // arithmetic.
  std::string rfc3339;
  rfc3339.append(year).append("-");
  if (month < 10)
    rfc3339.append("0");
  rfc3339.append(std::to_string(month)).append("-").append(day);
  rfc3339.append("T").append(time).append("Z");
  return parse_rfc3339(rfc3339);
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      unix_ms now) {
  auto text = trim(value);
  if (all_digits(text)) {
    if (text.size() > max_digits)
      return std::nullopt;
    return std::chrono::seconds{std::stoll(std::string{text})};
  }
  auto when = parse_http_date(text);
  if (!when)
    return std::nullopt;
  if (*when <= now)
    return std::chrono::seconds{0};
  // Round up: waiting a little longer never hurts, too short gets a 429.
  return std::chrono::seconds{(*when - now + 999) / 1000};
}

std::optional<int64_t> parse_header_count(std::string_view value) {
  auto text = trim(value);
  auto dot = text.find('.');
  auto whole = text.substr(0, dot);
  if (!all_digits(whole) || whole.size() > max_digits)
    return std::nullopt;
  int64_t result = std::stoll(std::string{whole});
  if (dot != std::string_view::npos) {
    auto fraction = text.substr(dot + 1);
    if (!all_digits(fraction))
      return std::nullopt;
    if (fraction.find_first_not_of('0') != std::string_view::npos)
      ++result;
  }
  return result;
}

} // namespace jobsync::providers
