#include "config/environment.hpp"

#include "config/key_table.hpp"
#include "config/suggest.hpp"

#include <set>
#include <string_view>

extern char** environ;

namespace jobsync::config {

environment process_environment() {
  environment out;
  for (auto entry = environ; entry && *entry; ++entry) {
    std::string_view x{*entry};
    auto eq = x.find('=');
    if (eq != std::string_view::npos)
      out.emplace(x.substr(0, eq), x.substr(eq + 1));
  }
  return out;
}

namespace {

const std::string* lookup(const environment& env, const std::string& name) {
  auto i = env.find(name);
  return i == env.end() || i->second.empty() ? nullptr : &i->second;
}

} // namespace

result<std::vector<std::string>> apply_environment(const environment& env,
                                                   settings& s, origins& from) {
  auto updated = s;
  auto updated_from = from;
  std::vector<std::string> known;
  for (auto& key : keys()) {
    auto names = key.env_aliases;
    names.push_back(key.env_name());
    known.insert(known.end(), names.begin(), names.end());
    if (key.is_map()) {
      if (lookup(env, key.env_name()))
        return config_error("environment variable " + key.env_name() + ": "
                            + key.path
                            + ": a mapping; set it in the config file");
      continue;
    }
    // Later names win: aliases come first, the JOBSYNC_ name last.
    const std::string* chosen = nullptr;
    const std::string* value = nullptr;
    for (auto& name : names)
      if (auto x = lookup(env, name)) {
        chosen = &name;
        value = x;
      }
    if (!chosen)
      continue;
    auto source = "environment variable " + *chosen;
    if (auto why = key.assign(updated, *value))
      return config_error(source + ": " + key.path + ": " + *why);
    updated_from[key.path] = source;
  }
  std::vector<std::string> warnings;
  std::set<std::string> names{known.begin(), known.end()};
  for (auto& entry : env) {
    auto& name = entry.first;
    if (name.rfind("JOBSYNC_", 0) != 0 || names.count(name) > 0)
      continue;
    warnings.push_back("environment variable " + name
                       + " is not a configuration key; ignored"
                       + did_you_mean(name, known));
  }
  s = std::move(updated);
  from = std::move(updated_from);
  return warnings;
}

} // namespace jobsync::config
