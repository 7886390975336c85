#pragma once

#include "config/settings.hpp"

#include <string>

namespace jobsync::config {

/// `s` as a YAML document with every key, in the layout of
/// config/jobsync.yaml; it loads back into the same settings. With
/// `mask_secrets`, a non-empty secret reads "***". Used by --print-config.
std::string render_yaml(const settings& s, bool mask_secrets);

} // namespace jobsync::config
