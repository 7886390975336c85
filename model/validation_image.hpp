#pragma once

#include "model/timestamp.hpp"

#include <string>

namespace jobsync {

/// A PNG file and its strong ETag.
struct png_image {
  /// The PNG file.
  std::string bytes;
  /// Quoted; derived from the bytes, so equal tags mean equal files.
  std::string etag;
};

/// The newest validation image a local job's trainer reported.
struct validation_image {
  png_image image;
  /// When it arrived (server time).
  unix_ms received = 0;
};

} // namespace jobsync
