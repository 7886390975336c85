#pragma once

#include <fmt/format.h>

#include <string_view>

namespace jobsync::log {

/// Severity of a log line.
enum class level { debug, info, warning, error };

/// Lines below this level are dropped (default: info).
void set_threshold(level x);

/// Whether a line of this level would be written.
bool enabled(level x);

/// Writes one line `<RFC 3339 time> <LEVEL> <component>: <message>` to
/// stderr, atomically with respect to other threads.
void write(level x, std::string_view component, std::string_view message);

template <class... Ts>
void debug(std::string_view component, fmt::format_string<Ts...> f,
           Ts&&... xs) {
  if (enabled(level::debug))
    write(level::debug, component, fmt::format(f, std::forward<Ts>(xs)...));
}

template <class... Ts>
void info(std::string_view component, fmt::format_string<Ts...> f, Ts&&... xs) {
  if (enabled(level::info))
    write(level::info, component, fmt::format(f, std::forward<Ts>(xs)...));
}

template <class... Ts>
void warning(std::string_view component, fmt::format_string<Ts...> f,
             Ts&&... xs) {
  if (enabled(level::warning))
    write(level::warning, component, fmt::format(f, std::forward<Ts>(xs)...));
}

template <class... Ts>
void error(std::string_view component, fmt::format_string<Ts...> f,
           Ts&&... xs) {
  if (enabled(level::error))
    write(level::error, component, fmt::format(f, std::forward<Ts>(xs)...));
}

} // namespace jobsync::log
