#include "config/usage.hpp"

#include "config/flags.hpp"
#include "config/key_table.hpp"
#include "config/scalar.hpp"

#include <algorithm>
#include <cctype>

namespace jobsync::config {

namespace {

std::string pad(std::string x, size_t width) {
  if (x.size() < width)
    x.resize(width, ' ');
  else
    x += ' ';
  return x;
}

// "PORT" for server.port: what the dedicated flag's value is.
std::string value_name(const key_spec& k) {
  auto leaf = k.path.substr(k.path.rfind('.') + 1);
  std::transform(leaf.begin(), leaf.end(), leaf.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  return leaf;
}

std::string default_text(const key_spec& k) {
  settings defaults;
  if (!k.is_map())
    return k.is_quoted() ? quote(k.text(defaults)) : k.text(defaults);
  std::string out = "{";
  for (auto& [name, value] : k.entries(defaults)) {
    if (out.size() > 1)
      out += ", ";
    out += name + ": " + value;
  }
  return out + "}";
}

} // namespace

std::string usage_text(std::string_view program) {
  std::string out = "Usage: " + std::string{program}
                    + " [flags]\n\n"
                      "Keeps a durable record of ML training jobs run at "
                      "Replicate.\n\nFlags:\n";
  constexpr size_t flag_width = 20;
  // Flags with a value first, so --config and the per-key flags sit
  // together above the ones that print something and exit.
  for (auto& f : general_flags())
    if (!f.value_name.empty())
      out += "  " + pad(f.name + ' ' + f.value_name, flag_width) + f.doc + '\n';
  for (auto& k : keys())
    if (!k.flag.empty())
      out += "  " + pad(k.flag + ' ' + value_name(k), flag_width) + "set "
             + k.path + '\n';
  for (auto& f : general_flags())
    if (f.value_name.empty())
      out += "  " + pad(f.name, flag_width) + f.doc + '\n';
  out += "\nPrecedence: built-in defaults < --config file < environment < "
         "flags\n(flags apply in the order given). An unknown key or a bad "
         "value stops\nstart-up with exit code 2.\n\n"
         "Environment: every key as JOBSYNC_ and its path in capitals, dots "
         "as\nunderscores, e.g. JOBSYNC_SERVER_PORT=9090. Empty variables "
         "count as unset.\nAlso read, with lower precedence than the "
         "JOBSYNC_ name (the later of two\nwins):\n";
  for (auto& k : keys())
    for (auto& alias : k.env_aliases)
      out += "  " + pad(alias, 32) + k.path + '\n';
  out += "\nThese keys are mappings and can be set in the config file only:\n";
  for (auto& k : keys())
    if (k.is_map())
      out += "  " + k.path + '\n';
  out += "\nKeys (default):\n";
  for (auto& k : keys())
    out += "  " + k.path + " = " + default_text(k) + "\n      " + k.doc + '\n';
  return out;
}

} // namespace jobsync::config
