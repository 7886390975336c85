#pragma once

#include "tools/replicate-sim/faults.hpp"
#include "tools/replicate-sim/http_types.hpp"
#include "tools/replicate-sim/rate_limits.hpp"
#include "tools/replicate-sim/request_stats.hpp"
#include "tools/replicate-sim/simulator.hpp"

#include <string>
#include <vector>

namespace jobsync::sim {

/// Settings of the `/v1` surface.
struct replicate_api_config {
  /// Accepted bearer tokens.
  std::vector<std::string> tokens;
  /// The secret served by `/v1/webhooks/default/secret`.
  std::string webhook_secret;
  /// `/v1/account` username.
  std::string username = "sim-user";
  /// Answer 429 beyond the published limits.
  bool enforce_rate_limits = false;
};

/// Replicate's `/v1` API on top of the simulator: routing, bearer auth,
/// request validation with Replicate's error bodies, rate-limit headers,
/// fault injection and request statistics.
class replicate_api {
public:
  /// Wires the API to its collaborators (all outlive it).
  replicate_api(replicate_api_config config, simulator& sim,
                fault_table& faults, request_stats& stats, rate_limits& limits);

  /// Answers a request whose path starts with `/v1`. Never throws.
  http_reply handle(const http_request& request);

private:
  struct route;

  route match(const http_request& request) const;
  http_reply dispatch(const route& r, const http_request& request);
  http_reply fault_reply(const fault_rule& rule, const route& r,
                         int64_t wall_ms);
  http_reply create(const route& r, const http_request& request);
  http_reply list(const route& r, const http_request& request);
  http_reply from_result(const json_result& result, int status);

  replicate_api_config config_;
  simulator& sim_;
  fault_table& faults_;
  request_stats& stats_;
  rate_limits& limits_;
};

/// Parses a `Cancel-After` duration (`30s`, `5m`, `1h30m`, `1.5h`, `250ms`);
/// nullopt when malformed.
std::optional<nanos> parse_duration(std::string_view text);

} // namespace jobsync::sim
