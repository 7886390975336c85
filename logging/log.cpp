#include "logging/log.hpp"

#include "model/timestamp.hpp"

#include <atomic>
#include <cstdio>
#include <string>

namespace jobsync::log {

namespace {

std::atomic<level> threshold{level::info};

const char* name(level x) {
  switch (x) {
  case level::debug:
    return "DEBUG";
  case level::info:
    return "INFO";
  case level::warning:
    return "WARN";
  case level::error:
    return "ERROR";
  }
  return "INFO";
}

} // namespace

void set_threshold(level x) {
  threshold = x;
}

bool enabled(level x) {
  return x >= threshold.load();
}

void write(level x, std::string_view component, std::string_view message) {
  auto line = fmt::format("{} {} {}: {}\n", format_rfc3339(now_ms()), name(x),
                          component, message);
  // One fwrite per line: stdio locks the stream, so lines never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace jobsync::log
