#include "config/render.hpp"

#include "config/key_table.hpp"
#include "config/scalar.hpp"

#include <string_view>
#include <vector>

namespace jobsync::config {

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  for (auto dot = path.find('.'); dot != std::string::npos;
       dot = path.find('.', start)) {
    out.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(path.substr(start));
  return out;
}

std::string indent(size_t depth) {
  return std::string(depth * 2, ' ');
}

std::string map_key_text(const std::string& x) {
  return needs_quotes(x) ? quote(x) : x;
}

} // namespace

std::string render_yaml(const settings& s, bool mask_secrets) {
  std::string out;
  // The table keeps each section's keys together, so opening a section
  // only when the path prefix changes yields one block per section.
  std::vector<std::string> open;
  for (auto& key : keys()) {
    auto parts = split_path(key.path);
    auto leaf = parts.back();
    parts.pop_back();
    size_t common = 0;
    while (common < open.size() && common < parts.size()
           && open[common] == parts[common])
      ++common;
    if (common == 0 && !out.empty())
      out += '\n';
    for (auto i = common; i < parts.size(); ++i)
      out += indent(i) + parts[i] + ":\n";
    open = parts;
    auto depth = parts.size();
    out += indent(depth) + leaf + ":";
    if (key.is_map()) {
      auto entries = key.entries(s);
      if (entries.empty())
        out += " {}";
      for (auto& [name, value] : entries) {
        out += '\n' + indent(depth + 1) + map_key_text(name) + ": ";
        out += key.kind == value_kind::text_map ? quote(value) : value;
      }
      out += '\n';
      continue;
    }
    auto value = key.text(s);
    if (key.secret && mask_secrets && !value.empty())
      value = key.mask ? key.mask(value) : "***";
    out += ' ' + (key.is_quoted() ? quote(value) : value) + '\n';
  }
  return out;
}

} // namespace jobsync::config
