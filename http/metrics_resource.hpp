#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"
#include "model/metrics.hpp"
#include "model/result.hpp"
#include "model/server_figures.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace jobsync::http {

/// The `days` of `GET /api/cloud/metrics` (1..365, default 30); a bad value
/// is a bad_request naming the parameter and its range.
result<int> parse_metrics_days(std::string_view raw_query);

/// The JSON body of `GET /api/cloud/metrics`.
std::string dashboard_metrics_json(const metrics_report& r);

/// The Prometheus text exposition (format 0.0.4) of `GET /metrics`.
/// `started` is the process start (Unix ms), `version` the build's.
std::string prometheus_text(const server_figures& f, unix_ms started,
                            std::string_view version);

/// `GET /api/cloud/metrics?days=N`: dashboard figures from the store.
handler dashboard_metrics(std::shared_ptr<const api> a);

/// `GET /metrics`: store counters, poller state and build info for
/// Prometheus (one request to the sync actor), event-stream counters (one
/// to the SSE hub), stale jobs (one to a reader), the server's connections
/// and the process's open descriptors.
handler prometheus_metrics(std::shared_ptr<const api> a);

} // namespace jobsync::http
