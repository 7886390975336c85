#include "config/scalar.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

namespace jobsync::config {

namespace {

std::string_view trim(std::string_view x) {
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!x.empty() && blank(x.front()))
    x.remove_prefix(1);
  while (!x.empty() && blank(x.back()))
    x.remove_suffix(1);
  return x;
}

bool equals_ignoring_case(std::string_view x, std::string_view y) {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(x[i])) != y[i])
      return false;
  return true;
}

failure bad(std::string expectation, std::string_view got) {
  return config_error("expected " + std::move(expectation) + ", got "
                      + quote(got));
}

} // namespace

result<int64_t> parse_integer(std::string_view text, int64_t lo, int64_t hi) {
  auto range
      = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  auto digits = trim(text);
  int64_t x = 0;
  auto first = digits.data();
  auto last = first + digits.size();
  auto [end, ec] = std::from_chars(first, last, x);
  if (ec != std::errc{} || end != last || x < lo || x > hi)
    return bad(range, text);
  return x;
}

result<double> parse_number(std::string_view text, double lo) {
  auto expectation = "a number of at least " + to_text(lo);
  auto digits = trim(text);
  double x = 0;
  auto first = digits.data();
  auto last = first + digits.size();
  auto [end, ec] = std::from_chars(first, last, x);
  if (ec != std::errc{} || end != last || !std::isfinite(x) || x < lo)
    return bad(expectation, text);
  return x;
}

result<bool> parse_boolean(std::string_view text) {
  auto word = trim(text);
  for (auto yes : {"true", "yes", "on"})
    if (equals_ignoring_case(word, yes))
      return true;
  for (auto no : {"false", "no", "off"})
    if (equals_ignoring_case(word, no))
      return false;
  return bad("true or false", text);
}

result<polling_mode> parse_polling_mode(std::string_view text) {
  if (equals_ignoring_case(trim(text), "auto"))
    return polling_mode::automatic;
  if (auto flag = parse_boolean(text))
    return *flag ? polling_mode::on : polling_mode::off;
  return bad("auto, true or false", text);
}

std::string to_text(bool x) {
  return x ? "true" : "false";
}

std::string to_text(polling_mode x) {
  switch (x) {
  case polling_mode::automatic:
    return "auto";
  case polling_mode::on:
    return "true";
  case polling_mode::off:
    return "false";
  }
  return "auto";
}

std::string to_text(double x) {
  std::array<char, 64> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  if (ec != std::errc{})
    return "0";
  return std::string(buf.data(), end);
}

std::string quote(std::string_view x) {
  std::string out = "\"";
  for (char c : x) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        std::array<char, 8> hex;
        std::snprintf(hex.data(), hex.size(), "\\x%02x",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += hex.data();
      } else {
        out += c;
      }
    }
  }
  out += '"';
  return out;
}

bool needs_quotes(std::string_view x) {
  if (x.empty() || x.front() == '-' || x.front() == '.')
    return true;
  for (char c : x) {
    auto plain = std::isalnum(static_cast<unsigned char>(c)) || c == '_'
                 || c == '-' || c == '.' || c == '/';
    if (!plain)
      return true;
  }
  // Words YAML reads as something other than a string.
  for (auto word :
       {"true", "false", "yes", "no", "on", "off", "null", "y", "n"})
    if (equals_ignoring_case(x, word))
      return true;
  double ignored = 0;
  auto [end, ec] = std::from_chars(x.data(), x.data() + x.size(), ignored);
  return ec == std::errc{} && end == x.data() + x.size();
}

} // namespace jobsync::config
