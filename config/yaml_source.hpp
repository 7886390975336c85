#pragma once

#include "config/config_error.hpp"
#include "config/origins.hpp"
#include "config/settings.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace jobsync::config {

/// A key a YAML document sets, and the (1-based) line it is on.
struct key_location {
  std::string path;
  int line = 0;
};

/// Applies the YAML document `text` over `s`, recording each key's source
/// in `from`. Rejects invalid YAML, unknown keys (at any depth), duplicate
/// keys and bad values; `source` (a file name) starts every message.
/// Returns the keys the document sets.
result<std::vector<key_location>> apply_yaml_text(std::string_view text,
                                                  const std::string& source,
                                                  settings& s, origins& from);

/// Reads the file at `path` and applies it as apply_yaml_text does.
result<std::vector<key_location>> apply_yaml_file(const std::string& path,
                                                  settings& s, origins& from);

} // namespace jobsync::config
