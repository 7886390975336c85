#include "config/reload.hpp"

#include "config/key_table.hpp"
#include "config/validate.hpp"

namespace jobsync::config {

namespace {

// A key's value as one line of text (a map's entries joined).
std::string value_of(const key_spec& k, const settings& s) {
  if (!k.is_map())
    return k.text(s);
  std::string out = "{";
  for (const auto& [name, value] : k.entries(s))
    out += (out.size() > 1 ? ", " : "") + name + ": " + value;
  return out + "}";
}

// How a value is shown in the log: never a secret.
std::string shown(const key_spec& k, const std::string& value) {
  if (!k.secret)
    return value.empty() ? "\"\"" : value;
  if (value.empty())
    return "\"\"";
  return k.mask ? k.mask(value) : "***";
}

void take(const key_spec& k, const settings& from, settings& to) {
  if (k.is_map())
    k.assign_map(to, k.entries(from));
  else
    k.assign(to, k.text(from));
}

} // namespace

result<reload_plan> plan_reload(const settings& running,
                                const settings& loaded) {
  reload_plan plan;
  plan.next = running;
  for (const auto& k : keys()) {
    auto before = value_of(k, running);
    auto after = value_of(k, loaded);
    if (before == after)
      continue;
    auto change = k.path + ": " + shown(k, before) + " -> " + shown(k, after);
    if (k.reloads) {
      take(k, loaded, plan.next);
      plan.applied.push_back(k.path);
      plan.lines.push_back(change + " (applied)");
    } else {
      plan.need_restart.push_back(k.path);
      plan.lines.push_back(change + " (needs a restart; " + shown(k, before)
                           + " stays until then)");
    }
  }
  if (auto ok = validate(plan.next); !ok)
    return failure{ok.error().code,
                   "the new values would not work with those that need a "
                   "restart: "
                       + ok.error().detail};
  return plan;
}

} // namespace jobsync::config
