#include "providers/replicate/pricing.hpp"

#include <cctype>
#include <cmath>

namespace jobsync::providers::replicate {

namespace {

// Replicate's SKUs of one GPU and of several: the count goes before the
// L40S and after the H100 (gpu-8x-l40s, gpu-h100-8x).
struct gpu {
  std::string_view in_name;
  std::string_view one;
  std::string_view prefix;
  std::string_view suffix;
};

constexpr gpu gpus[] = {
    {"l40s", "gpu-l40s", "gpu-", "x-l40s"},
    {"h100", "gpu-h100", "gpu-h100-", "x"},
};

bool ends_with(std::string_view text, std::string_view end) {
  return text.size() >= end.size()
         && text.substr(text.size() - end.size()) == end;
}

// The `-x<n>` at the end of a model's name: n, or 1 without one (0 for a
// malformed count).
std::pair<std::string_view, int> split_count(std::string_view name) {
  auto x = name.rfind("-x");
  if (x == std::string_view::npos || x + 2 == name.size())
    return {name, 1};
  int n = 0;
  for (auto c : name.substr(x + 2)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || n > 1000)
      return {name, 1};
    n = n * 10 + (c - '0');
  }
  return {name.substr(0, x), n};
}

} // namespace

std::optional<std::string> sku_in_model_name(std::string_view model) {
  auto [name, count] = split_count(model);
  if (count < 1)
    return std::nullopt;
  for (const auto& g : gpus) {
    if (!ends_with(name, "-" + std::string{g.in_name}))
      continue;
    if (count == 1)
      return std::string{g.one};
    return std::string{g.prefix} + std::to_string(count)
           + std::string{g.suffix};
  }
  return std::nullopt;
}

std::string hardware_of(const std::optional<std::string>& model,
                        const hardware_pricing& pricing) {
  if (!model)
    return pricing.default_hardware;
  if (auto i = pricing.model_hardware.find(*model);
      i != pricing.model_hardware.end())
    return i->second;
  // A name that says a SKU the table cannot price says nothing useful.
  if (auto sku = sku_in_model_name(*model);
      sku && pricing.prices.count(*sku) > 0)
    return *sku;
  return pricing.default_hardware;
}

priced price(const std::string& sku, std::optional<double> predict_seconds,
             const hardware_pricing& pricing) {
  priced out;
  auto name = pricing.names.find(sku);
  out.hardware_type = name != pricing.names.end() ? name->second : sku;
  auto rate = pricing.prices.find(sku);
  if (predict_seconds && *predict_seconds >= 0
      && rate != pricing.prices.end()) {
    // A product that overflows is no cost at all.
    auto cost = *predict_seconds * rate->second;
    if (std::isfinite(cost))
      out.cost_usd = cost;
  }
  return out;
}

} // namespace jobsync::providers::replicate
