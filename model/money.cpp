#include "model/money.hpp"

#include <cmath>

namespace jobsync {

double round_usd(double x) {
  auto micros = x * 1e6;
  // Past about 1e302 dollars the scaling overflows; a double that large has
  // no millionths to round anyway.
  if (!std::isfinite(micros))
    return x;
  return std::round(micros) / 1e6;
}

} // namespace jobsync
