#include "config/loader.hpp"

#include "config/validate.hpp"
#include "config/yaml_source.hpp"

namespace jobsync::config {

result<load_result> parse_command_line(int argc, const char* const* argv,
                                       const environment& env) {
  auto cl = parse_flags(argc, argv);
  if (!cl)
    return cl.error();
  load_result out;
  out.action = cl->action;
  out.config_path = cl->config_path;
  if (cl->action == action::help || cl->action == action::version)
    return out;
  origins from;
  if (cl->config_path) {
    auto found = apply_yaml_file(*cl->config_path, out.settings, from);
    if (!found)
      return found.error();
  }
  auto warnings = apply_environment(env, out.settings, from);
  if (!warnings)
    return warnings.error();
  out.warnings = std::move(*warnings);
  if (auto applied = apply_flags(*cl, out.settings, from); !applied)
    return applied.error();
  if (auto checked = check_combinations(out.settings, from); !checked)
    return checked.error();
  return out;
}

} // namespace jobsync::config
