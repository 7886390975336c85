#include "config/validate.hpp"

#include "config/key_table.hpp"
#include "config/scalar.hpp"

#include <limits>
#include <string>
#include <vector>

namespace jobsync::config {

namespace {

// "lhs must be less than (or at most) rhs", and why it matters.
struct ordering {
  std::string lhs;
  std::string rhs;
  bool strict;
  const char* why;
};

// The rules of the fixed sections, then each provider's own.
std::vector<ordering> orderings(const settings& s) {
  std::vector<ordering> table = {
      {"events.heartbeat_seconds", "server.request_timeout_seconds", true,
       "the server closes an SSE stream that stays silent for the request "
       "timeout"},
      {"sync.active_deadline_seconds", "server.request_timeout_seconds", true,
       "a sync_active request must be answered before its connection times "
       "out"},
      {"inline_progress.fetch_timeout_seconds",
       "server.request_timeout_seconds", true,
       "an inline-progress request must be answered before its connection "
       "times out"},
      {"events.max_connections_per_address", "events.max_connections", false,
       "one address cannot have more subscribers than the whole server"},
  };
  for (const auto& [name, p] : s.providers) {
    auto key = "providers." + name + ".";
    table.push_back({key + "connect_timeout_seconds",
                     key + "request_timeout_seconds", false,
                     "connecting is part of a request"});
    table.push_back({key + "backoff_initial_seconds",
                     key + "backoff_max_seconds", false,
                     "the backoff grows from the initial to the maximum "
                     "delay"});
  }
  return table;
}

int64_t integer_value(const settings& s, const std::string& path) {
  auto value = parse_integer(find_key(path)->text(s),
                             std::numeric_limits<int64_t>::min(),
                             std::numeric_limits<int64_t>::max());
  return value ? *value : 0;
}

std::string describe(const settings& s, const origins& from,
                     const std::string& path) {
  return path + " = " + find_key(path)->text(s) + " (" + origin_of(from, path)
         + ")";
}

// Cost is computed from the prices; an SKU without one would silently give
// jobs no cost.
result<void> check_prices(const settings& s, const origins& from,
                          const std::string& name, const provider_settings& p) {
  auto key = "providers." + name + ".";
  const std::string prices = key + "hardware_prices";
  if (p.hardware_prices.count(p.default_hardware) == 0)
    return config_error(describe(s, from, key + "default_hardware")
                        + " has no price in " + prices + " ("
                        + origin_of(from, prices) + ")");
  const std::string models = key + "model_hardware";
  for (auto& [model, sku] : p.model_hardware)
    if (p.hardware_prices.count(sku) == 0)
      return config_error(models + " (" + origin_of(from, models) + "): model "
                          + quote(model) + " uses " + quote(sku)
                          + ", which has no price in " + prices + " ("
                          + origin_of(from, prices) + ")");
  return {};
}

} // namespace

result<void> check_combinations(const settings& s, const origins& from) {
  for (auto& rule : orderings(s)) {
    auto lhs = integer_value(s, rule.lhs);
    auto rhs = integer_value(s, rule.rhs);
    if (rule.strict ? lhs < rhs : lhs <= rhs)
      continue;
    return config_error(describe(s, from, rule.lhs) + " must be "
                        + (rule.strict ? "less than " : "at most ")
                        + describe(s, from, rule.rhs) + ": " + rule.why);
  }
  if (s.storage.backend == "postgres" && s.storage.postgres_url.empty())
    return config_error(describe(s, from, "storage.backend")
                        + " needs storage.postgres.url: the database to use");
  for (const auto& [name, p] : s.providers)
    if (auto priced = check_prices(s, from, name, p); !priced)
      return priced;
  return {};
}

result<void> validate(const settings& s) {
  settings scratch;
  for (auto& key : keys()) {
    auto why = key.is_map() ? key.assign_map(scratch, key.entries(s))
                            : key.assign(scratch, key.text(s));
    if (why)
      return config_error(key.path + ": " + *why);
  }
  return check_combinations(s, origins{});
}

} // namespace jobsync::config
