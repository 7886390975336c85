#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"
#include "model/health.hpp"
#include "model/result.hpp"
#include "model/timestamp.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace jobsync::http {

/// `GET /healthz` (and SimpleTuner's `/api/cloud/health/live`): the process
/// answers.
handler healthz();

/// `GET /readyz` (and SimpleTuner's `/api/cloud/health/ready`): 200 once
/// the store is writable and every poller's first cycle has ended; 503
/// otherwise.
handler readyz(std::shared_ptr<const api> a);

/// The `include_replicate` flag of `GET /api/cloud/health` (SimpleTuner's
/// name; it asks every provider with a token): true, false, 1 or 0,
/// default false; anything else is a bad_request naming it.
result<bool> parse_health_request(std::string_view raw_query);

/// The body of `GET /api/cloud/health`: `status` (the worst component's),
/// `uptime_seconds` since `started`, `timestamp` (`now`) and `components`.
std::string health_json(const health_report& r, unix_ms started, unix_ms now);

/// `GET /api/cloud/health`: SimpleTuner's health report, from one request
/// to the overview; 503 only when the report is unhealthy.
handler cloud_health(std::shared_ptr<const api> a);

} // namespace jobsync::http
