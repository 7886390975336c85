#pragma once

#include "providers/hardware_pricing.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace jobsync::providers::replicate {

/// The SKU a model's name says it runs on, in Replicate's naming:
/// `...-l40s` gpu-l40s, `...-l40s-x8` gpu-8x-l40s, `...-h100` gpu-h100,
/// `...-h100-x2` gpu-h100-2x (SimpleTuner's trainers are named so);
/// nullopt when the name says nothing.
std::optional<std::string> sku_in_model_name(std::string_view model);

/// The hardware (SKU) a job of `model` ("owner/name") ran on: the model's
/// entry in `model_hardware`, else what its name says when that SKU has a
/// price, else the default hardware.
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
