#pragma once

#include "config/config_error.hpp"
#include "config/environment.hpp"
#include "config/flags.hpp"
#include "config/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace jobsync::config {

/// What main gets from its command line.
struct load_result {
  /// The effective configuration, checked (defaults for help/version).
  config::settings settings;
  /// What to do with it.
  config::action action = config::action::run;
  /// The --config file that was read, if any.
  std::optional<std::string> config_path;
  /// Things worth logging that do not stop start-up.
  std::vector<std::string> warnings;
};

/// Reads the command line, the file it names and `env` (usually
/// process_environment()), with precedence built-in defaults < file <
/// environment < flags, and checks the result. For --help and --version
/// nothing but the command line is read. main prints a failure and exits
/// with code 2.
result<load_result> parse_command_line(int argc, const char* const* argv,
                                       const environment& env);

} // namespace jobsync::config
