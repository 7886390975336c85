#pragma once

#include <map>
#include <string>

namespace jobsync::config {

/// Where each key got its value ("jobsync.yaml:12", "environment variable
/// JOBSYNC_SERVER_PORT", "--port"), by key path. Keys still at their
/// built-in default are absent. Only messages about combinations of keys
/// need it: each layer names its own source when it fails.
using origins = std::map<std::string, std::string>;

/// How a message names the source of `path`'s value.
inline std::string origin_of(const origins& from, const std::string& path) {
  auto i = from.find(path);
  return i == from.end() ? "built-in default" : i->second;
}

} // namespace jobsync::config
