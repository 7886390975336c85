#include "model/job.hpp"

#include <tuple>

namespace jobsync {

namespace {

auto as_tuple(const job& x) {
  return std::tie(x.job_id, x.type, x.provider, x.status, x.provider_status,
                  x.config_name, x.created_at, x.started_at, x.completed_at,
                  x.cost_usd, x.hardware_type, x.error_message, x.output_url,
                  x.metadata, x.external_id);
}

} // namespace

bool operator==(const job& a, const job& b) {
  return as_tuple(a) == as_tuple(b);
}

unix_ms created_ms(const job& x) {
  return parse_rfc3339(x.created_at).value_or(0);
}

std::optional<double> duration_seconds(const job& x, unix_ms now) {
  if (!x.started_at)
    return std::nullopt;
  auto start = parse_rfc3339(*x.started_at);
  if (!start)
    return std::nullopt;
  unix_ms end = now;
  if (x.completed_at) {
    auto done = parse_rfc3339(*x.completed_at);
    if (!done)
      return std::nullopt;
    end = *done;
  } else if (is_terminal(x.status)) {
    return std::nullopt;
  }
  if (end < *start)
    return 0.0;
  return static_cast<double>(end - *start) / 1000.0;
}

} // namespace jobsync
