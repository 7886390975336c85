#include "model/timestamp.hpp"

#include <chrono>
#include <cstdio>

namespace jobsync {

int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

civil_date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

namespace {

class cursor {
public:
  explicit cursor(std::string_view text) : text_(text) {}

  bool digits(size_t n, int& out) {
    if (pos_ + n > text_.size())
      return false;
    out = 0;
    for (size_t i = 0; i < n; ++i) {
      char c = text_[pos_ + i];
      if (c < '0' || c > '9')
        return false;
      out = out * 10 + (c - '0');
    }
    pos_ += n;
    return true;
  }

  bool literal(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool peek_digit() const {
    return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
  }

  char next() {
    return pos_ < text_.size() ? text_[pos_++] : '\0';
  }

  bool at_end() const {
    return pos_ == text_.size();
  }

private:
  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

namespace {

// Seconds since the epoch and nanoseconds within the second.
struct precise_instant {
  int64_t seconds;
  int nanos;
  bool operator==(const precise_instant& o) const {
    return seconds == o.seconds && nanos == o.nanos;
  }
};

std::optional<precise_instant> parse_precise(std::string_view text);

} // namespace

std::optional<unix_ms> parse_rfc3339(std::string_view text) {
  auto t = parse_precise(text);
  if (!t)
    return std::nullopt;
  return t->seconds * 1000 + t->nanos / 1000000;
}

bool same_instant(std::string_view a, std::string_view b) {
  if (a == b)
    return true;
  auto x = parse_precise(a);
  auto y = parse_precise(b);
  return x && y && *x == *y;
}

namespace {

std::optional<precise_instant> parse_precise(std::string_view text) {
  cursor in{text};
  int year, month, day, hour, minute, second;
  if (!in.digits(4, year) || !in.literal('-') || !in.digits(2, month)
      || !in.literal('-') || !in.digits(2, day))
    return std::nullopt;
  if (!in.literal('T') && !in.literal('t') && !in.literal(' '))
    return std::nullopt;
  if (!in.digits(2, hour) || !in.literal(':') || !in.digits(2, minute)
      || !in.literal(':') || !in.digits(2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59
      || second > 60)
    return std::nullopt;
  int nanos = 0;
  if (in.literal('.')) {
    int count = 0;
    while (in.peek_digit()) {
      if (++count > 9)
        return std::nullopt;
      int digit = 0;
      in.digits(1, digit);
      nanos = nanos * 10 + digit;
    }
    if (count == 0)
      return std::nullopt;
    for (int i = count; i < 9; ++i)
      nanos *= 10;
  }
  int offset_minutes = 0;
  char zone = in.next();
  if (zone == '+' || zone == '-') {
    int oh, om;
    if (!in.digits(2, oh) || !in.literal(':') || !in.digits(2, om) || oh > 23
        || om > 59)
      return std::nullopt;
    offset_minutes = (oh * 60 + om) * (zone == '-' ? -1 : 1);
  } else if (zone != 'Z' && zone != 'z') {
    return std::nullopt;
  }
  if (!in.at_end())
    return std::nullopt;
  int64_t days = days_from_civil(year, month, day);
  int64_t seconds
      = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return precise_instant{seconds, nanos};
}

} // namespace

std::string format_rfc3339(unix_ms t) {
  int64_t days = floor_div(t, 86400000);
  int64_t rest = t - days * 86400000;
  auto c = civil_from_days(days);
  char buf[40];
  std::snprintf(
      buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
      static_cast<long long>(c.y), c.m, c.d, static_cast<int>(rest / 3600000),
      static_cast<int>(rest / 60000 % 60), static_cast<int>(rest / 1000 % 60),
      static_cast<int>(rest % 1000));
  return buf;
}

std::string format_date(unix_ms t) {
  return format_rfc3339(t).substr(0, 10);
}

unix_ms now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch())
      .count();
}

} // namespace jobsync
