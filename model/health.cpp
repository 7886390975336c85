#include "model/health.hpp"

#include <algorithm>

namespace jobsync {

std::string_view to_string(health_status x) {
  switch (x) {
  case health_status::healthy:
    return "healthy";
  case health_status::degraded:
    return "degraded";
  case health_status::unhealthy:
    return "unhealthy";
  }
  return "unhealthy";
}

health_status overall_status(const health_report& r) {
  auto worst = health_status::healthy;
  for (const auto& c : r.components)
    worst = std::max(worst, c.status);
  return worst;
}

health_component store_health(const registry_health& h, double latency_ms) {
  if (!h.writable)
    return {"database", health_status::unhealthy,
            "The store cannot take writes: " + h.reason, latency_ms};
  return {"database", health_status::healthy,
          "The store is reachable and takes writes", latency_ms};
}

health_component store_health(const failure& unanswered, double latency_ms) {
  return {"database", health_status::unhealthy,
          "The store's writer did not answer: " + unanswered.detail,
          latency_ms};
}

health_component token_health(const std::string& provider,
                              const std::string& unavailable) {
  auto name = "secrets_" + provider;
  if (!unavailable.empty())
    return {std::move(name), health_status::degraded, unavailable, {}};
  return {std::move(name), health_status::healthy, "API token configured", {}};
}

health_component circuit_health(const poller_status& s) {
  auto name = "circuit_breaker_" + s.provider;
  // The provider asked for a wait (Retry-After, a spent rate-limit window):
  // nothing reaches it meanwhile, whatever the circuit says.
  if (s.circuit == "closed" && s.retry_after_until)
    return {std::move(name),
            health_status::degraded,
            "Circuit closed, but the provider asked us to wait: requests are "
            "held back until "
                + format_rfc3339(*s.retry_after_until),
            {}};
  if (s.circuit == "closed")
    return {std::move(name),
            health_status::healthy,
            "Circuit closed - normal operation",
            {}};
  auto failures = std::to_string(s.consecutive_failures);
  if (s.circuit == "half_open")
    return {std::move(name),
            health_status::degraded,
            "Circuit half-open - testing recovery after " + failures
                + " failed poll cycles",
            {}};
  return {std::move(name),
          health_status::degraded,
          "Circuit open - blocking requests (failures: " + failures + ")",
          {}};
}

health_component circuit_health(const std::string& provider,
                                const failure& unanswered) {
  return {"circuit_breaker_" + provider,
          health_status::degraded,
          "The poller did not answer (it may be restarting): "
              + unanswered.detail,
          {}};
}

health_component api_health(const std::string& provider, const validation& v,
                            double latency_ms) {
  auto name = provider + "_api";
  if (v.valid)
    return {std::move(name), health_status::healthy,
            "The provider accepted the API token (account " + v.username + ")",
            latency_ms};
  return {std::move(name), health_status::degraded,
          "The provider refused the API token: " + v.detail, latency_ms};
}

health_component api_health(const std::string& provider, const failure& f,
                            double latency_ms) {
  return {provider + "_api", health_status::degraded,
          "The provider could not be asked: " + f.detail, latency_ms};
}

} // namespace jobsync
