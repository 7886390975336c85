#pragma once

#include "config/config_error.hpp"
#include "config/settings.hpp"

#include <cstdint>
#include <string>
#include <string_view>

// Text <-> value conversions shared by every source (YAML scalars,
// environment variables and flags all arrive as text), so a value means the
// same wherever it is written.

namespace jobsync::config {

/// A whole decimal integer in [lo, hi]; surrounding blanks are ignored.
result<int64_t> parse_integer(std::string_view text, int64_t lo, int64_t hi);

/// A finite decimal number, at least `lo`.
result<double> parse_number(std::string_view text, double lo);

/// true/false, also YAML 1.1's yes/no/on/off, in any letter case.
result<bool> parse_boolean(std::string_view text);

/// `auto`, or a boolean as parse_boolean reads it.
result<polling_mode> parse_polling_mode(std::string_view text);

/// "true" or "false".
std::string to_text(bool x);

/// "auto", "true" or "false".
std::string to_text(polling_mode x);

/// The shortest text that reads back as exactly `x`.
std::string to_text(double x);

/// `x` as a YAML double-quoted scalar (also how messages show values).
std::string quote(std::string_view x);

/// Whether a map key must be quoted to read back as the same string.
bool needs_quotes(std::string_view x);

} // namespace jobsync::config
