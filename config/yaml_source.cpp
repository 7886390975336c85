#include "config/yaml_source.hpp"

#include "config/key_table.hpp"
#include "config/scalar.hpp"
#include "config/suggest.hpp"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace jobsync::config {

namespace {

std::string shape_of(const YAML::Node& x) {
  switch (x.Type()) {
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Null:
    return "nothing";
  default:
    return "a single value";
  }
}

// Walks a document against the key table. yaml-cpp throws on conversions,
// so the walk only reads node shapes and scalar text and lets the table
// do all parsing: the same code then serves the environment and flags.
class walker {
public:
  walker(const std::string& source, settings& s, origins& from)
      : source_(source), settings_(s), from_(from) {}

  result<void> walk_root(const YAML::Node& root) {
    if (root.IsNull())
      return {};
    if (!root.IsMap())
      return fail(root, "expected a mapping of sections at the top level, "
                        "got "
                            + shape_of(root));
    return walk(root, "");
  }

  std::vector<key_location> found;

private:
  result<void> walk(const YAML::Node& map, const std::string& section) {
    std::set<std::string> seen;
    for (const auto& pair : map) {
      YAML::Node key = pair.first;
      YAML::Node value = pair.second;
      if (!key.IsScalar())
        return fail(key, "expected a key name, got " + shape_of(key));
      auto path = section.empty() ? key.Scalar() : section + "." + key.Scalar();
      if (!seen.insert(key.Scalar()).second)
        return fail(key, path + ": duplicate key");
      if (auto spec = find_key(path)) {
        if (auto applied = apply(*spec, value); !applied)
          return applied;
        auto line = key.Mark().line + 1;
        found.push_back({path, line});
        from_[path] = source_ + ":" + std::to_string(line);
      } else if (is_section(path)) {
        if (value.IsNull())
          continue;
        if (!value.IsMap())
          return fail(value, path + ": expected a section of keys, got "
                                 + shape_of(value));
        if (auto walked = walk(value, path); !walked)
          return walked;
      } else {
        return fail(key, unknown_key(path, section));
      }
    }
    return {};
  }

  result<void> apply(const key_spec& spec, const YAML::Node& value) {
    if (spec.is_map())
      return apply_map(spec, value);
    if (value.IsMap() || value.IsSequence())
      return fail(value, spec.path + ": expected a single value, got "
                             + shape_of(value));
    // `key:` and `key: ~` mean "empty" for text; other kinds need a value.
    std::string text;
    if (value.IsNull()) {
      if (spec.kind != value_kind::text)
        return fail(value, spec.path + ": missing value");
    } else {
      text = value.Scalar();
    }
    if (auto why = spec.assign(settings_, text))
      return fail(value, spec.path + ": " + *why);
    return {};
  }

  result<void> apply_map(const key_spec& spec, const YAML::Node& value) {
    map_entries entries;
    if (value.IsMap()) {
      std::set<std::string> seen;
      for (const auto& pair : value) {
        YAML::Node name = pair.first;
        YAML::Node entry = pair.second;
        if (!name.IsScalar())
          return fail(name, spec.path + ": expected an entry name, got "
                                + shape_of(name));
        if (!seen.insert(name.Scalar()).second)
          return fail(name,
                      spec.path + ": duplicate entry " + quote(name.Scalar()));
        if (!entry.IsScalar() && !entry.IsNull())
          return fail(entry, spec.path + "." + name.Scalar()
                                 + ": expected a single value, got "
                                 + shape_of(entry));
        entries.emplace_back(name.Scalar(),
                             entry.IsNull() ? "" : entry.Scalar());
      }
    } else if (!value.IsNull()) {
      return fail(value,
                  spec.path + ": expected a mapping, got " + shape_of(value));
    }
    if (auto why = spec.assign_map(settings_, entries))
      return fail(value, spec.path + ": " + *why);
    return {};
  }

  static std::string unknown_key(const std::string& path,
                                 const std::string& section) {
    auto siblings = children_of(section);
    auto out = "unknown key " + path;
    auto hint = did_you_mean(path, siblings);
    if (!hint.empty())
      return out + hint;
    out += section.empty() ? "; the sections are "
                           : "; the keys of " + section + " are ";
    auto skip = section.empty() ? 0 : section.size() + 1;
    for (size_t i = 0; i < siblings.size(); ++i)
      out += (i > 0 ? ", " : "") + siblings[i].substr(skip);
    return out;
  }

  failure fail(const YAML::Node& at, const std::string& what) const {
    auto mark = at.Mark();
    if (mark.is_null())
      return config_error(source_ + ": " + what);
    return config_error(source_ + ":" + std::to_string(mark.line + 1) + ":"
                        + std::to_string(mark.column + 1) + ": " + what);
  }

  const std::string& source_;
  settings& settings_;
  origins& from_;
};

} // namespace

result<std::vector<key_location>> apply_yaml_text(std::string_view text,
                                                  const std::string& source,
                                                  settings& s, origins& from) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string{text});
  } catch (const YAML::Exception& e) {
    return config_error(source + ":" + std::to_string(e.mark.line + 1) + ":"
                        + std::to_string(e.mark.column + 1)
                        + ": invalid YAML: " + e.msg);
  }
  // Each layer is all-or-nothing: the caller's settings only change when
  // the whole document is valid.
  auto updated = s;
  auto updated_from = from;
  walker w{source, updated, updated_from};
  if (auto walked = w.walk_root(root); !walked)
    return walked.error();
  s = std::move(updated);
  from = std::move(updated_from);
  return std::move(w.found);
}

result<std::vector<key_location>> apply_yaml_file(const std::string& path,
                                                  settings& s, origins& from) {
  std::ifstream in{path};
  if (!in)
    return config_error("cannot read config file " + path + ": "
                        + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return apply_yaml_text(text.str(), path, s, from);
}

} // namespace jobsync::config
