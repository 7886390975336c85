#pragma once

#include "actors/wiring.hpp"
#include "config/settings.hpp"
#include "http/api.hpp"
#include "http/connection_budget.hpp"

#include <string>
#include <vector>

// A reload (SIGHUP) hands the settings that changed live to the running
// parts, made exactly as at start (app/assembly.hpp).

namespace jobsync::app {

/// Gives the running parts the reloaded settings: the HTTP handlers' (API
/// token, staleness, dashboard) and each provider's poller, API token and
/// webhook receiver. Returns what could not be applied, one sentence each.
std::vector<std::string> apply_reloaded(const config::settings& s,
                                        const http::connection_budget& b,
                                        const http::api& api, wiring& w);

} // namespace jobsync::app
