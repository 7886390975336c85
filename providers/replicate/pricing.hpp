#pragma once

#include "providers/hardware_pricing.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace jobsync::providers::replicate {

/// The hardware (SKU) a job of `model` ("owner/name") ran on: the model's
/// entry in `model_hardware`, else the default hardware.
std::string hardware_of(const std::optional<std::string>& model,
                        const hardware_pricing& pricing);

/// What a job on `sku` is labelled and costs.
struct priced {
  /// The SKU's label (the SKU itself when the table has none).
  std::string hardware_type;
  /// seconds x the SKU's price; nullopt without a price or a run time.
  std::optional<double> cost_usd;
};

/// Prices `predict_seconds` (Replicate's `metrics.predict_time`, when
/// known) of run time on `sku`.
priced price(const std::string& sku, std::optional<double> predict_seconds,
             const hardware_pricing& pricing);

} // namespace jobsync::providers::replicate
