#pragma once

#include <map>
#include <string>

namespace jobsync::providers {

/// How a provider's jobs are priced when its API has no prices: a table of
/// hardware (SKU) with a price per second of run time and a label, the
/// hardware assumed when a job does not say, and the hardware of named
/// models. The configuration holds the defaults (config/settings.hpp).
struct hardware_pricing {
  /// SKU assumed for a job whose hardware cannot be told.
  std::string default_hardware;
  /// SKU -> US dollars per second of run time.
  std::map<std::string, double> prices;
  /// SKU -> label stored as the job's hardware_type.
  std::map<std::string, std::string> names;
  /// Model ("owner/name") -> SKU, for models whose name does not say.
  std::map<std::string, std::string> model_hardware;
};

} // namespace jobsync::providers
