#include "config/flags.hpp"

#include "config/key_table.hpp"
#include "config/suggest.hpp"

#include <string_view>

namespace jobsync::config {

const std::vector<flag_spec>& general_flags() {
  static const std::vector<flag_spec> table = {
      {"--config", "PATH", "read settings from this YAML file"},
      {"--set", "KEY=VALUE", "set any key but the mappings (repeatable)"},
      {"--print-config", "", "print the effective settings, secrets masked"},
      {"--help", "", "print this text and exit (also -h)"},
      {"--version", "", "print the version and exit"},
  };
  return table;
}

namespace {

struct raw_flag {
  std::string name;
  std::optional<std::string> inline_value;
};

raw_flag split(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos)
    return {std::string{arg}, std::nullopt};
  return {std::string{arg.substr(0, eq)}, std::string{arg.substr(eq + 1)}};
}

std::vector<std::string> all_flag_names() {
  std::vector<std::string> out;
  for (auto& f : general_flags())
    out.push_back(f.name);
  for (auto& k : keys())
    if (!k.flag.empty())
      out.push_back(k.flag);
  return out;
}

// `--set path=value`: the key must exist and be a scalar; its value is
// checked later, when it is applied, so the message can name the flag.
result<flag_assignment> parse_set(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    return config_error("--set: expected KEY=VALUE, got \"" + arg + "\"");
  auto path = arg.substr(0, eq);
  auto key = find_key(path);
  if (!key) {
    std::vector<std::string> paths;
    for (auto& k : keys())
      paths.push_back(k.path);
    auto what = is_section(path) ? " is a section, not a key"
                                 : " is not a key" + did_you_mean(path, paths);
    return config_error("--set: " + path + what);
  }
  if (key->is_map())
    return config_error("--set: " + path
                        + ": a mapping; set it in the config file");
  return flag_assignment{path, arg.substr(eq + 1), "--set"};
}

} // namespace

result<command_line> parse_flags(int argc, const char* const* argv) {
  command_line out;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg == "-h") {
      out.action = action::help;
      return out;
    }
    if (arg.substr(0, 2) != "--")
      return config_error("unexpected argument \"" + std::string{arg}
                          + "\" (flags start with --)");
    auto [name, inline_value] = split(arg);
    const flag_spec* general = nullptr;
    for (auto& f : general_flags())
      if (f.name == name)
        general = &f;
    const key_spec* key = nullptr;
    for (auto& k : keys())
      if (!k.flag.empty() && k.flag == name)
        key = &k;
    if (!general && !key)
      return config_error("unknown flag " + name
                          + did_you_mean(name, all_flag_names()));
    auto takes_value = key || !general->value_name.empty();
    if (!takes_value) {
      if (inline_value)
        return config_error(name + " takes no value");
      if (name == "--help") {
        out.action = action::help;
        return out;
      }
      if (name == "--version") {
        out.action = action::version;
        return out;
      }
      out.action = action::print_config;
      continue;
    }
    // A following flag is never taken as a value: `--port --host x` is a
    // missing port, not a port named "--host".
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argc
               && std::string_view{argv[i + 1]}.substr(0, 2) != "--") {
      value = argv[++i];
    } else {
      return config_error(name + " needs a value");
    }
    if (key) {
      out.assignments.push_back({key->path, value, name});
    } else if (name == "--config") {
      if (value.empty())
        return config_error("--config needs a value");
      out.config_path = value;
    } else {
      auto assignment = parse_set(value);
      if (!assignment)
        return assignment.error();
      out.assignments.push_back(std::move(*assignment));
    }
  }
  return out;
}

result<void> apply_flags(const command_line& cl, settings& s, origins& from) {
  auto updated = s;
  auto updated_from = from;
  for (auto& x : cl.assignments) {
    auto key = find_key(x.path);
    if (!key)
      return config_error(x.flag + ": " + x.path + " is not a key");
    if (auto why = key->assign(updated, x.value))
      return config_error(x.flag + ": " + x.path + ": " + *why);
    updated_from[x.path] = x.flag;
  }
  s = std::move(updated);
  from = std::move(updated_from);
  return {};
}

} // namespace jobsync::config
