#include "tools/replicate-sim/sim_time.hpp"

#include "model/timestamp.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace jobsync::sim {

namespace {

int days_in_month(int64_t y, int m) {
  static constexpr int days[]
      = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

// A tiny non-throwing scanner over the input.
class scanner {
public:
  explicit scanner(std::string_view text) : text_(text) {}

  bool number(size_t n, int& out) {
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

  bool accept(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool digit_next() const {
    return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
  }

  char peek() const {
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  bool done() const {
    return pos_ == text_.size();
  }

private:
  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

nanos seconds_to_ns(double seconds) {
  return static_cast<nanos>(std::llround(seconds * 1e9));
}

std::string format_time(nanos t, int digits) {
  int64_t secs = floor_div(t, ns_per_second);
  auto frac = static_cast<int64_t>(t - secs * ns_per_second);
  int64_t days = floor_div(secs, 86400);
  int64_t rem = secs - days * 86400;
  auto date = civil_from_days(days);
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d",
                        static_cast<long long>(date.y), date.m, date.d,
                        static_cast<int>(rem / 3600),
                        static_cast<int>(rem / 60 % 60),
                        static_cast<int>(rem % 60));
  std::string out{buf, static_cast<size_t>(n)};
  if (digits > 0) {
    char fbuf[16];
    std::snprintf(fbuf, sizeof(fbuf), "%09lld", static_cast<long long>(frac));
    out += '.';
    out.append(fbuf, static_cast<size_t>(digits > 9 ? 9 : digits));
  }
  out += 'Z';
  return out;
}

std::optional<nanos> parse_time(std::string_view text) {
  scanner s{text};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!s.number(4, y) || !s.accept('-') || !s.number(2, mo) || !s.accept('-')
      || !s.number(2, d))
    return std::nullopt;
  if (!(s.accept('T') || s.accept('t') || s.accept(' ')))
    return std::nullopt;
  if (!s.number(2, h) || !s.accept(':') || !s.number(2, mi) || !s.accept(':')
      || !s.number(2, se))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23
      || mi > 59 || se > 60)
    return std::nullopt;
  int64_t frac = 0;
  if (s.accept('.')) {
    int count = 0;
    while (s.digit_next()) {
      int digit = 0;
      s.number(1, digit);
      if (++count <= 9)
        frac = frac * 10 + digit;
    }
    if (count == 0)
      return std::nullopt;
    for (int i = count; i < 9; ++i)
      frac *= 10;
  }
  int64_t offset = 0;
  if (s.accept('Z') || s.accept('z')) {
    // UTC
  } else if (s.peek() == '+' || s.peek() == '-') {
    bool negative = s.peek() == '-';
    s.accept(s.peek());
    int oh = 0, om = 0;
    if (!s.number(2, oh))
      return std::nullopt;
    s.accept(':');
    if (!s.number(2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset = (oh * 3600 + om * 60) * (negative ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (!s.done())
    return std::nullopt;
  int64_t secs
      = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return secs * ns_per_second + frac;
}

std::string format_http_date(int64_t unix_seconds) {
  static constexpr const char* weekdays[]
      = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr const char* months[]
      = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t days = floor_div(unix_seconds, 86400);
  int64_t rem = unix_seconds - days * 86400;
  auto date = civil_from_days(days);
  // 1970-01-01 was a Thursday.
  auto weekday = ((days % 7) + 7) % 7;
  char buf[64];
  int n = std::snprintf(
      buf, sizeof(buf), "%s, %02d %s %04lld %02d:%02d:%02d GMT",
      weekdays[weekday], date.d, months[date.m - 1],
      static_cast<long long>(date.y), static_cast<int>(rem / 3600),
      static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return {buf, static_cast<size_t>(n)};
}

nanos wall_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t wall_now_ms() {
  return wall_now() / 1'000'000;
}

} // namespace jobsync::sim
