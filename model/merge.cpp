#include "model/merge.hpp"

#include "model/missing.hpp"
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

// Sets `field` to `value`; whether that changed it.
template <class T, class U>
bool set(T& field, const U& value) {
  if (field == value)
    return false;
  field = value;
  return true;
}

template <class T>
bool take(std::optional<T>& field, const std::optional<T>& value, bool fresh) {
  return value && (fresh || !field) && set(field, value);
}

// Providers write one instant with varying fractional digits; the stored
// text changes only when the instant does.
bool take_time(std::optional<std::string>& field,
               const std::optional<std::string>& value, bool fresh) {
  if (value && field && same_instant(*field, *value))
    return false;
  return take(field, value, fresh);
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
  // Each step says whether it changed the job, rather than the job being
  // compared with a copy taken before: a copy allocates a node and a
  // string for every metadata member, on every delivery.
  merge_result result;
  result.old_status = stored.status;
  bool changed = false;
  // "Lost" was a guess from the provider's silence; what it says now wins.
  const bool revived = s.status && declared_lost(stored);
  if (revived) {
    clear_not_found(stored);
    stored.error_message.reset();
    stored.completed_at.reset();
    changed = true;
  }
  const bool fresh = revived || is_fresh(stored, s);
  // A revived job's stored status was the guess; nothing contradicts it.
  const bool contradicts = !revived && s.status && is_terminal(stored.status)
                           && is_terminal(*s.status)
                           && *s.status != stored.status;
  if (fresh) {
    if (s.status)
      changed |= set(stored.status, *s.status);
    if (!s.provider_status.empty())
      changed |= set(stored.provider_status, s.provider_status);
    if (s.created_at && !same_instant(stored.created_at, *s.created_at))
      changed |= set(stored.created_at, *s.created_at);
  }
  changed |= take_time(stored.started_at, s.started_at, fresh);
  changed |= take_time(stored.completed_at, s.completed_at, fresh);
  changed |= take(stored.cost_usd, rounded_cost(s), fresh);
  changed |= take(stored.hardware_type, s.hardware_type, fresh);
  if (!contradicts)
    changed |= take(stored.error_message, s.error_message, fresh);
  changed |= take(stored.output_url, s.output_url, fresh);
  changed |= take(stored.config_name, s.config_name, fresh);
  for (const auto& [key, value] : s.metadata) {
    auto [at, added] = stored.metadata.try_emplace(key, value);
    if (added)
      changed = true;
    else if (fresh)
      changed |= set(at->second, value);
  }
  if (!stored.provider)
    changed |= set(stored.provider, s.provider);
  if (stored.external_id.empty())
    changed |= set(stored.external_id, s.external_id);
  result.new_status = stored.status;
  result.status_changed = result.old_status != stored.status;
  result.changed = changed;
  result.confirmed = s.status.has_value() && fresh;
  return result;
}

} // namespace jobsync
