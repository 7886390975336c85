#pragma once

#include "config/settings.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The one table of configuration keys. The YAML walk, the environment, the
// command line, --print-config, --help and the tests all iterate it, so a
// key is declared (path, type, rules, field, doc) in exactly one place.

namespace jobsync::config {

/// The shape of a key's value: decides how it is parsed and printed.
enum class value_kind {
  /// Any string (rules may narrow it: non-empty, URL, one of a list).
  text,
  /// true or false.
  boolean,
  /// A whole number within a range.
  integer,
  /// One word of a fixed list, printed unquoted (auto|true|false).
  word,
  /// A mapping of names to strings (YAML only).
  text_map,
  /// A mapping of names to numbers (YAML only).
  number_map,
};

/// The entries of a map-valued key as text, in order.
using map_entries = std::vector<std::pair<std::string, std::string>>;

/// One configuration key.
struct key_spec {
  /// Dotted path, exactly as in the YAML file ("server.port").
  std::string path;
  /// How the value is parsed and printed.
  value_kind kind = value_kind::text;
  /// One line for --help.
  std::string doc;
  /// --print-config shows "***" instead of a non-empty value (or what
  /// `mask` makes of it).
  bool secret = false;
  /// For a secret that is mostly not secret (a URL that may hold a
  /// password): the value as --print-config shows it. Empty: "***".
  std::function<std::string(const std::string&)> mask;
  /// A dedicated command-line flag ("--port"), or empty.
  std::string flag;
  /// Older environment variable names, lowest precedence first; the
  /// JOBSYNC_ name always wins over them.
  std::vector<std::string> env_aliases;
  /// Parses, checks and stores a scalar; the problem otherwise (without the
  /// key or source: the caller adds those). Empty for map keys.
  std::function<std::optional<std::string>(settings&, std::string_view)> assign;
  /// The current scalar value as plain text (reads back through assign).
  /// Empty for map keys.
  std::function<std::string(const settings&)> text;
  /// Parses, checks and stores all entries of a map key (replacing the
  /// default entries); the problem otherwise. Empty for scalar keys.
  std::function<std::optional<std::string>(settings&, const map_entries&)>
      assign_map;
  /// The current entries of a map key. Empty for scalar keys.
  std::function<map_entries(const settings&)> entries;

  /// Whether the value is a mapping, settable from YAML only.
  bool is_map() const {
    return kind == value_kind::text_map || kind == value_kind::number_map;
  }

  /// Whether the value is printed as a quoted YAML string.
  bool is_quoted() const {
    return kind == value_kind::text;
  }

  /// The environment variable that sets the key: "JOBSYNC_" and the path
  /// in capitals with dots as underscores.
  std::string env_name() const;
};

/// Every key, grouped by section in the order of config/jobsync.yaml.
const std::vector<key_spec>& keys();

/// The key at `path`, or nullptr.
const key_spec* find_key(std::string_view path);

/// Whether `path` names a section (a proper prefix of some key's path),
/// e.g. "providers" or "background.job_status_polling".
bool is_section(std::string_view path);

/// The keys and sections directly under `section` ("" for the top level),
/// as full paths: the candidates for "did you mean" hints.
std::vector<std::string> children_of(std::string_view section);

} // namespace jobsync::config
