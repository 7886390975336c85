#pragma once

#include "actors/wiring.hpp"
#include "config/settings.hpp"
#include "http/api.hpp"
#include "http/connection_budget.hpp"
#include "http/server.hpp"
#include "model/result.hpp"
#include "providers/catalog.hpp"
#include "storage/job_store.hpp"

#include <string>

// What main hands each part: the parts' own configurations, made from the
// loaded settings in one place, so that main only orders the start and the
// shutdown, and tests can build the parts exactly as jobsyncd does.

namespace jobsync::app {

/// Which store to open and how (LMDB or PostgreSQL).
storage::store_options store_options_of(const config::settings& s);

/// How the registry keeps the store.
registry_config registry_config_of(const config::settings& s);

/// A provider's options from its configuration section.
providers::provider_options
provider_options_of(const std::string& name,
                    const config::provider_settings& p);

/// The poller of a provider: interval, budget, circuit, backoff, and
/// whether it polls (model/polling.hpp's rule).
poller_config poller_config_of(const config::settings& s,
                               const config::provider_settings& p);

/// This replica's name: `server.replica_name`, else the host name and
/// the port (the process id when the port is 0), at most 63 bytes.
std::string replica_name_of(const config::settings& s);

/// Which replica polls each provider (replicas sharing a database): this
/// one's name, and a claim every half poll interval.
leadership_config leadership_config_of(const config::settings& s);

/// The webhook receiver of the provider `name`.
webhook_receiver_config webhook_config_of(const config::settings& s,
                                          const std::string& name,
                                          const config::provider_settings& p);

/// sync_active, inline progress and logs.
sync_config sync_config_of(const config::settings& s);

/// The SSE hub, with the event-stream share of the connection budget.
sse_hub_config event_config_of(const config::settings& s,
                               const http::connection_budget& b);

/// Every actor's configuration, the providers made through the catalog;
/// logs how each provider will be talked to. Fails when a provider cannot
/// be made.
result<wiring_config> wiring_config_of(const config::settings& s,
                                       const http::connection_budget& b);

/// The HTTP listener.
http::server_config server_config_of(const config::settings& s,
                                     const http::connection_budget& b);

/// When an active job shows as stale: after stale_after_seconds, or three
/// sweep intervals (the poll interval when some provider polls, else the
/// reconcile interval); jobs stored without a confirmation count from now.
staleness_rule staleness_of(const config::settings& s);

/// The receiver of local trainers' reports (`POST /callback`); logs who
/// may report.
http::callback_config callback_config_of(const config::settings& s);

/// The local provider's liveness check; none when local runs are off.
std::optional<liveness_config> liveness_config_of(const config::settings& s);

/// What the handlers need from the configuration.
http::api_config api_config_of(const config::settings& s);

} // namespace jobsync::app
