#pragma once

#include "config/config_error.hpp"
#include "config/origins.hpp"
#include "config/settings.hpp"

#include <map>
#include <string>
#include <vector>

namespace jobsync::config {

/// Environment variables by name. The loader takes the environment as a
/// value so that tests never read or change the real one.
using environment = std::map<std::string, std::string>;

/// A copy of this process's environment.
environment process_environment();

/// Applies every variable that names a key over `s`, recording sources in
/// `from`: `JOBSYNC_<PATH>` for each key, and the seed's older names
/// (REPLICATE_API_TOKEN, ...) with lower precedence. Empty variables count
/// as unset. A map-valued key's variable or a bad value is an error; the
/// result lists warnings about `JOBSYNC_*` variables that name no key
/// (other tools may share the prefix, so they do not stop start-up).
result<std::vector<std::string>> apply_environment(const environment& env,
                                                   settings& s, origins& from);

} // namespace jobsync::config
