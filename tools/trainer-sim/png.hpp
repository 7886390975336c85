#pragma once

#include <cstdint>
#include <string>

namespace jobsync::tools {

/// A real PNG file (8-bit RGB, stored deflate blocks) of `width` x
/// `height` pixels: a gradient that `seed` shifts, so that images of
/// different validation steps differ.
std::string make_png(uint32_t width, uint32_t height, uint32_t seed);

} // namespace jobsync::tools
