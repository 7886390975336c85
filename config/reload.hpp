#pragma once

#include "config/settings.hpp"
#include "model/result.hpp"

#include <string>
#include <vector>

namespace jobsync::config {

/// What a reload (SIGHUP) makes of a newly loaded configuration, key by
/// key: the key table says which keys reload (`key_spec::reloads`).
struct reload_plan {
  /// The running settings with the new value of every changed key that
  /// reloads; keys that need a restart keep their running value.
  settings next;
  /// One line per changed key: its path, the old and the new value (a
  /// secret's only as "***"), and whether it was applied or needs a
  /// restart.
  std::vector<std::string> lines;
  /// The changed keys that were applied, and those that need a restart.
  std::vector<std::string> applied;
  std::vector<std::string> need_restart;
};

/// Compares the running settings with newly loaded ones (both checked by
/// the loader). Fails when the settings the reload would run with break a
/// rule that ties keys together (a key that reloads, against one that
/// needs a restart and keeps its running value).
result<reload_plan> plan_reload(const settings& running,
                                const settings& loaded);

} // namespace jobsync::config
