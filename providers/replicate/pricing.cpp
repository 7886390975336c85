#include "providers/replicate/pricing.hpp"

#include <cmath>

namespace jobsync::providers::replicate {

std::string hardware_of(const std::optional<std::string>& model,
                        const hardware_pricing& pricing) {
  if (model) {
    auto i = pricing.model_hardware.find(*model);
    if (i != pricing.model_hardware.end())
      return i->second;
  }
  return pricing.default_hardware;
}

priced price(const std::string& sku, std::optional<double> predict_seconds,
             const hardware_pricing& pricing) {
  priced out;
  auto name = pricing.names.find(sku);
  out.hardware_type = name != pricing.names.end() ? name->second : sku;
  auto rate = pricing.prices.find(sku);
  if (predict_seconds && std::isfinite(*predict_seconds)
      && *predict_seconds >= 0 && rate != pricing.prices.end())
    out.cost_usd = *predict_seconds * rate->second;
  return out;
}

} // namespace jobsync::providers::replicate
