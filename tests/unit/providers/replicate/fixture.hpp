#pragma once

#include "config/settings.hpp"
#include "providers/hardware_pricing.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace jobsync::test {

/// The pricing jobsyncd runs with when the configuration says nothing
/// (the defaults of config/settings.hpp).
inline providers::hardware_pricing default_pricing() {
  config::provider_settings p;
  return {p.default_hardware, p.hardware_prices, p.hardware_names,
          p.model_hardware};
}

/// The text of `tests/unit/providers/replicate/fixtures/<name>`; throws
/// (failing the test case) when the file is missing.
inline std::string fixture(const std::string& name) {
  std::ifstream in{std::string{JOBSYNC_FIXTURES} + "/" + name};
  if (!in)
    throw std::runtime_error("missing fixture " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace jobsync::test
