#pragma once

#include "model/result.hpp"

#include <string>

namespace jobsync::config {

/// A configuration that cannot be used: one line naming the source (file
/// and line, environment variable or flag) and the key.
inline failure config_error(std::string message) {
  return {errc::bad_request, std::move(message)};
}

} // namespace jobsync::config
