#include "tools/replicate-sim/catalog.hpp"

#include "tools/replicate-sim/seeded.hpp"

namespace jobsync::sim {

namespace {

constexpr const char* builtin_models[] = {
    "simpletuner/advanced-trainer-h100",
    "simpletuner/advanced-trainer-h100-x2",
    "simpletuner/advanced-trainer-h100-x4",
    "simpletuner/advanced-trainer-h100-x8",
    "simpletuner/advanced-trainer-l40s",
    "simpletuner/advanced-trainer-l40s-x2",
    "simpletuner/advanced-trainer-l40s-x4",
    "simpletuner/advanced-trainer-l40s-x8",
    "ostris/flux-dev-lora-trainer",
    "stability-ai/sdxl",
};

bool valid_name_part(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace

catalog::catalog(const std::vector<std::string>& extra) {
  for (auto name : builtin_models)
    models_.push_back({name, default_version(name)});
  for (auto& entry : extra) {
    auto colon = entry.find(':');
    auto name = entry.substr(0, colon);
    auto version = colon == std::string::npos ? default_version(name)
                                              : entry.substr(colon + 1);
    if (!is_model_name(name) || !is_version_id(version)) {
      if (error_.empty())
        error_ = "invalid model '" + entry
                 + "' (expected owner/name or owner/name:<64 hex>)";
      continue;
    }
    if (find_model(name) == nullptr)
      models_.push_back({name, version});
  }
}

std::string catalog::default_version(std::string_view model) {
  return sha256_hex("replicate-sim:" + std::string{model});
}

bool catalog::is_version_id(std::string_view s) {
  if (s.size() != 64)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

bool catalog::is_model_name(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos)
    return false;
  return valid_name_part(s.substr(0, slash))
         && valid_name_part(s.substr(slash + 1));
}

std::optional<resolved_version>
catalog::resolve(std::string_view version) const {
  auto colon = version.find(':');
  if (colon != std::string_view::npos) {
    auto* m = find_model(version.substr(0, colon));
    if (m == nullptr || m->version != version.substr(colon + 1))
      return std::nullopt;
    return resolved_version{m->name, m->version};
  }
  if (is_version_id(version)) {
    for (auto& m : models_)
      if (m.version == version)
        return resolved_version{m.name, m.version};
    return std::nullopt;
  }
  if (auto* m = find_model(version))
    return resolved_version{m->name, m->version};
  return std::nullopt;
}

const model_entry* catalog::find_model(std::string_view name) const {
  for (auto& m : models_)
    if (m.name == name)
      return &m;
  return nullptr;
}

} // namespace jobsync::sim
