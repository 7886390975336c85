#pragma once

// The health report of `GET /api/cloud/health` (SimpleTuner's shape): one
// status per part of the server, and the worst of them overall. Pure
// rules; the overview actor gathers what they read.

#include "model/payloads.hpp"
#include "model/polling.hpp"
#include "model/result.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync {

/// How well a part works, from best to worst.
enum class health_status { healthy, degraded, unhealthy };

/// "healthy", "degraded" or "unhealthy".
std::string_view to_string(health_status x);

/// One part of the server and how it is doing.
struct health_component {
  /// `database`, `secrets_<provider>`, `circuit_breaker_<provider>` or
  /// `<provider>_api` (SimpleTuner's names, one per provider).
  std::string name;
  health_status status = health_status::healthy;
  /// What an operator reads: what is wrong and what to do.
  std::string message;
  /// How long the check took, when it asked someone.
  std::optional<double> latency_ms;
};

/// Every part's health, in a fixed order: the store, then each provider's
/// token, circuit and (when asked for) API.
struct health_report {
  std::vector<health_component> components;
};

/// The worst status of the components (healthy when there are none).
health_status overall_status(const health_report& r);

/// `database`: unhealthy when the store cannot take writes (nothing can be
/// recorded), healthy otherwise.
health_component store_health(const registry_health& h, double latency_ms);

/// `database` when the registry did not answer: unhealthy.
health_component store_health(const failure& unanswered, double latency_ms);

/// `secrets_<provider>`: healthy with a token; degraded without one
/// (`unavailable` says which key to set), since nothing can be asked of the
/// provider then.
health_component token_health(const std::string& provider,
                              const std::string& unavailable);

/// `circuit_breaker_<provider>`: healthy while the poller's circuit is
/// closed; degraded while it is half-open or open (requests held back).
health_component circuit_health(const poller_status& s);

/// `circuit_breaker_<provider>` when the poller did not answer (it is being
/// restarted): degraded.
health_component circuit_health(const std::string& provider,
                                const failure& unanswered);

/// `<provider>_api`: healthy when the provider accepted the token; degraded
/// when it refused it.
health_component api_health(const std::string& provider, const validation& v,
                            double latency_ms);

/// `<provider>_api` when the provider could not be asked: degraded.
health_component api_health(const std::string& provider, const failure& f,
                            double latency_ms);

} // namespace jobsync
