#pragma once

#include "config/config_error.hpp"
#include "config/origins.hpp"
#include "config/settings.hpp"

namespace jobsync::config {

/// Checks the rules that tie keys together (a heartbeat shorter than the
/// request timeout, priced default hardware, ...). Each key's own rules are
/// checked when it is parsed. `from` lets messages say where each of the
/// values came from.
result<void> check_combinations(const settings& s, const origins& from);

/// Checks settings built in code (tests, tools) exactly as the loader
/// checks loaded ones: every key's own rules, then the combinations.
result<void> validate(const settings& s);

} // namespace jobsync::config
