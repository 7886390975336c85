#pragma once

namespace jobsync {

/// Rounds dollars to a millionth, as every money figure of the API is
/// written: finer than any provider bills, and free of the binary noise
/// that products and sums pick up (`0.09722220000000001`).
double round_usd(double x);

} // namespace jobsync
