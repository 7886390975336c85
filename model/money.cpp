#include "model/money.hpp"

#include <cmath>

namespace jobsync {

double round_usd(double x) {
  return std::round(x * 1e6) / 1e6;
}

} // namespace jobsync
