#include "model/merge.hpp"

#include "model/money.hpp"

namespace jobsync {

namespace {

// Whether the snapshot may overwrite stored values (true) or only fill the
// empty ones (false).
bool is_fresh(const job& stored, const provider_snapshot& s) {
  if (!s.status)
    return !is_terminal(stored.status);
  if (is_terminal(stored.status))
    return *s.status == stored.status;
  return lifecycle_rank(*s.status) >= lifecycle_rank(stored.status);
}

template <class T>
void take(std::optional<T>& field, const std::optional<T>& value, bool fresh) {
  if (value && (fresh || !field))
    field = value;
}

// Providers write one instant with varying fractional digits; the stored
// text changes only when the instant does.
void take_time(std::optional<std::string>& field,
               const std::optional<std::string>& value, bool fresh) {
  if (value && field && same_instant(*field, *value))
    return;
  take(field, value, fresh);
}

// Money is kept as the API writes it, to a millionth of a dollar: a
// provider's figure with binary noise then compares equal to the stored
// one instead of rewriting the job on every sight of it.
std::optional<double> rounded_cost(const provider_snapshot& s) {
  if (!s.cost_usd)
    return std::nullopt;
  return round_usd(*s.cost_usd);
}

} // namespace

job job_from_snapshot(const provider_snapshot& s, unix_ms now) {
  job x;
  x.job_id = s.external_id;
  x.external_id = s.external_id;
  x.type = job_type::cloud;
  x.provider = s.provider;
  x.status = s.status.value_or(job_status::pending);
  if (!s.provider_status.empty())
    x.provider_status = s.provider_status;
  x.created_at = s.created_at.value_or(format_rfc3339(now));
  x.started_at = s.started_at;
  x.completed_at = s.completed_at;
  x.cost_usd = rounded_cost(s);
  x.hardware_type = s.hardware_type;
  x.error_message = s.error_message;
  x.output_url = s.output_url;
  x.config_name = s.config_name;
  x.metadata = s.metadata;
  if (s.status)
    x.synced_at = now;
  return x;
}

merge_result apply_snapshot(job& stored, const provider_snapshot& s) {
  const job before = stored;
  const bool fresh = is_fresh(stored, s);
  if (fresh) {
    if (s.status)
      stored.status = *s.status;
    if (!s.provider_status.empty())
      stored.provider_status = s.provider_status;
    if (s.created_at && !same_instant(stored.created_at, *s.created_at))
      stored.created_at = *s.created_at;
  }
  take_time(stored.started_at, s.started_at, fresh);
  take_time(stored.completed_at, s.completed_at, fresh);
  take(stored.cost_usd, rounded_cost(s), fresh);
  take(stored.hardware_type, s.hardware_type, fresh);
  take(stored.error_message, s.error_message, fresh);
  take(stored.output_url, s.output_url, fresh);
  take(stored.config_name, s.config_name, fresh);
  for (const auto& [key, value] : s.metadata)
    if (fresh || stored.metadata.count(key) == 0)
      stored.metadata[key] = value;
  if (!stored.provider)
    stored.provider = s.provider;
  if (stored.external_id.empty())
    stored.external_id = s.external_id;
  merge_result result;
  result.old_status = before.status;
  result.new_status = stored.status;
  result.status_changed = before.status != stored.status;
  result.changed = before != stored;
  result.confirmed = s.status.has_value() && fresh;
  return result;
}

} // namespace jobsync
