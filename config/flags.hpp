#pragma once

#include "config/config_error.hpp"
#include "config/origins.hpp"
#include "config/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace jobsync::config {

/// What the process does once its configuration is read.
enum class action {
  /// Start the server.
  run,
  /// Print the effective configuration (secrets masked) and exit.
  print_config,
  /// Print usage_text() and exit.
  help,
  /// Print the version and exit.
  version,
};

/// A command-line flag that is not tied to one key.
struct flag_spec {
  /// "--config".
  std::string name;
  /// Placeholder of its value in --help ("PATH"); empty when it takes none.
  std::string value_name;
  /// One line for --help.
  std::string doc;
};

/// --config, --set, --print-config, --help and --version. The flags that
/// set one key (--port, ...) are in the key table.
const std::vector<flag_spec>& general_flags();

/// One key set on the command line, not yet parsed.
struct flag_assignment {
  /// The key's path.
  std::string path;
  /// The value as given.
  std::string value;
  /// The flag that set it ("--port", "--set"), for messages.
  std::string flag;
};

/// A command line, checked for shape (known flags, values present, known
/// keys) but not yet applied.
struct command_line {
  /// What to do; help and version stop parsing where they appear.
  config::action action = config::action::run;
  /// The --config file, if given (the last one wins).
  std::optional<std::string> config_path;
  /// Every key set by a flag, in command-line order (later wins).
  std::vector<flag_assignment> assignments;
};

/// Parses `argv[1..argc)`. Accepts `--flag value` and `--flag=value`.
result<command_line> parse_flags(int argc, const char* const* argv);

/// Applies the assignments of `cl` over `s`, in order, recording sources in
/// `from`. A bad value fails with a message naming the flag and the key.
result<void> apply_flags(const command_line& cl, settings& s, origins& from);

} // namespace jobsync::config
