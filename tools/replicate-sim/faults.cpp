#include "tools/replicate-sim/faults.hpp"

namespace jobsync::sim {

const char* to_string(fault_kind x) {
  switch (x) {
  case fault_kind::status:
    return "status";
  case fault_kind::slow:
    return "slow";
  case fault_kind::drop:
    return "drop";
  case fault_kind::malformed:
    return "malformed";
  }
  return "status";
}

std::optional<fault_kind> parse_fault_kind(std::string_view s) {
  for (auto x : {fault_kind::status, fault_kind::slow, fault_kind::drop,
                 fault_kind::malformed})
    if (s == to_string(x))
      return x;
  return std::nullopt;
}

bool is_fault_endpoint(std::string_view s) {
  for (auto name : {"list", "get", "cancel", "create", "account", "secret",
                    "hardware", "other", "*"})
    if (s == name)
      return true;
  return false;
}

int fault_table::add(fault_rule rule) {
  std::lock_guard<std::mutex> guard{mtx_};
  rule.id = next_id_++;
  rules_.push_back(std::move(rule));
  return rules_.back().id;
}

size_t fault_table::clear() {
  std::lock_guard<std::mutex> guard{mtx_};
  auto n = rules_.size();
  rules_.clear();
  return n;
}

std::optional<fault_rule> fault_table::take(std::string_view endpoint) {
  std::lock_guard<std::mutex> guard{mtx_};
  for (auto i = rules_.begin(); i != rules_.end(); ++i) {
    if (i->endpoint != "*" && i->endpoint != endpoint)
      continue;
    // Only rules below certainty draw from the sequence, so adding a
    // certain rule does not shift the rolls of the others.
    if (i->probability < 1.0 && rng_.next_unit() >= i->probability)
      continue;
    ++i->hits;
    auto hit = *i;
    if (i->remaining && --*i->remaining <= 0)
      rules_.erase(i);
    return hit;
  }
  return std::nullopt;
}

std::vector<fault_rule> fault_table::rules() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return rules_;
}

} // namespace jobsync::sim
