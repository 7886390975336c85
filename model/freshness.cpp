#include "model/freshness.hpp"

namespace jobsync {

bool is_stale(const staleness_rule& rule, job_status status,
              bool reached_provider, std::optional<unix_ms> synced_at,
              unix_ms now) {
  if (rule.after_ms <= 0 || !reached_provider || is_terminal(status))
    return false;
  return now - synced_at.value_or(rule.since) > rule.after_ms;
}

} // namespace jobsync
