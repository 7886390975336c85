#include "model/progress.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace jobsync {

namespace {

constexpr size_t scanned_lines = 50;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'
         || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// The last `limit` non-blank lines, oldest first.
std::vector<std::string_view> last_lines(std::string_view text, size_t limit) {
  std::vector<std::string_view> newest_first;
  size_t end = text.size();
  while (end > 0 && newest_first.size() < limit) {
    size_t pos = text.find_last_of("\r\n", end - 1);
    size_t begin = pos == std::string_view::npos ? 0 : pos + 1;
    auto line = trim(text.substr(begin, end - begin));
    if (!line.empty())
      newest_first.push_back(line);
    if (pos == std::string_view::npos)
      break;
    end = pos;
  }
  return {newest_first.rbegin(), newest_first.rend()};
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

struct fraction {
  unsigned long long a;
  unsigned long long b;
};

// Finds `<word>\s+(\d+)[/\s]+(\d+)` (first occurrence, no word boundaries).
std::optional<fraction> find_fraction(const std::string& line,
                                      std::string_view word) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto space
      = [](char c) { return std::isspace(static_cast<unsigned char>(c)); };
  for (size_t at = line.find(word); at != std::string::npos;
       at = line.find(word, at + 1)) {
    size_t i = at + word.size();
    size_t spaces = i;
    while (i < line.size() && space(line[i]))
      ++i;
    if (i == spaces || i >= line.size() || !digit(line[i]))
      continue;
    size_t a_begin = i;
    while (i < line.size() && digit(line[i]))
      ++i;
    size_t a_end = i;
    while (i < line.size() && (line[i] == '/' || space(line[i])))
      ++i;
    if (i == a_end || i >= line.size() || !digit(line[i]))
      continue;
    size_t b_begin = i;
    while (i < line.size() && digit(line[i]))
      ++i;
    auto a = std::strtoull(line.c_str() + a_begin, nullptr, 10);
    auto b = std::strtoull(line.c_str() + b_begin, nullptr, 10);
    return fraction{a, b};
  }
  return std::nullopt;
}

// A tqdm bar's own counts: `<desc>: 45%|####5     | 450/1000 [...]`, the
// `n/N` right after the bar's closing `|`. Steady for a steady bar, where
// `epoch a/b` in the description moves in jumps.
std::optional<fraction> find_bar_counts(const std::string& line) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto open = line.find("%|");
  if (open == std::string::npos)
    return std::nullopt;
  auto close = line.find('|', open + 2);
  if (close == std::string::npos)
    return std::nullopt;
  size_t i = close + 1;
  while (i < line.size() && line[i] == ' ')
    ++i;
  size_t n_begin = i;
  while (i < line.size() && digit(line[i]))
    ++i;
  if (i == n_begin || i >= line.size() || line[i] != '/')
    return std::nullopt;
  size_t total_begin = ++i;
  while (i < line.size() && digit(line[i]))
    ++i;
  // Scaled counts (`4.50k/10.0k`) are not counts to divide.
  if (i == total_begin
      || (i < line.size()
          && (line[i] == '.'
              || std::isalpha(static_cast<unsigned char>(line[i])))))
    return std::nullopt;
  return fraction{std::strtoull(line.c_str() + n_begin, nullptr, 10),
                  std::strtoull(line.c_str() + total_begin, nullptr, 10)};
}

// Returns true when the line decides stage (and maybe progress).
bool decide(std::string_view raw, inline_progress& out) {
  auto line = lower(raw);
  if (contains(line, "preprocessing") || contains(line, "loading")) {
    out.stage = "Preprocessing";
    return true;
  }
  if (contains(line, "warming up") || contains(line, "warmup")) {
    out.stage = "Warmup";
    return true;
  }
  if (contains(line, "checkpoint")) {
    out.stage = "Saving checkpoint";
    return true;
  }
  if (contains(line, "validat")) {
    out.stage = "Validation";
    return true;
  }
  if (!contains(line, "step") && !contains(line, "epoch"))
    return false;
  out.stage = "Training";
  auto found = find_bar_counts(line);
  if (!found)
    found = find_fraction(line, "step");
  if (!found)
    found = find_fraction(line, "epoch");
  if (!found)
    return false;
  if (found->b > 0)
    out.progress = round_one_decimal(static_cast<double>(found->a)
                                     / static_cast<double>(found->b) * 100.0);
  return true;
}

} // namespace

bool operator==(const inline_progress& a, const inline_progress& b) {
  return a.stage == b.stage && a.last_log == b.last_log
         && a.progress == b.progress && a.step == b.step
         && a.total_steps == b.total_steps && a.eta_seconds == b.eta_seconds
         && a.loss == b.loss && a.learning_rate == b.learning_rate;
}

double round_one_decimal(double x) {
  // glibc's printf rounds the exact binary value, ties to even, which is
  // what Python's round() does.
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.1f", x);
  return std::strtod(buf, nullptr);
}

std::string truncate_chars(std::string_view line, size_t max_chars) {
  auto text = trim(line);
  auto is_continuation
      = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
  size_t chars = 0;
  size_t cut = std::string_view::npos; // byte offset after `max_chars - 3`
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_continuation(text[i]))
      continue;
    if (chars == max_chars - 3)
      cut = i;
    ++chars;
  }
  if (chars <= max_chars)
    return std::string{text};
  std::string out{text.substr(0, cut)};
  out += "...";
  return out;
}

inline_progress compute_inline_progress(std::string_view log_text) {
  inline_progress out;
  auto lines = last_lines(log_text, scanned_lines);
  if (lines.empty())
    return out;
  out.last_log = truncate_chars(lines.back());
  out.stage = "Training";
  for (auto i = lines.rbegin(); i != lines.rend(); ++i)
    if (decide(*i, out))
      break;
  return out;
}

} // namespace jobsync
