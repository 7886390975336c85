#pragma once

#include "model/polling_preference.hpp"
#include "model/result.hpp"

#include <string_view>

namespace jobsync::http {

/// The poll intervals a setting may ask for (the configuration key's).
struct interval_limits {
  int min = 1;
  int max = 86400;
};

/// Reads the body of `PUT /api/cloud/polling/setting`: a JSON object with
/// `enabled` (true, false or null: required), and optionally `provider` (a
/// name; absent or null: every provider) and `interval_seconds` (a whole
/// number within `limits`). Anything else is a bad_request that names the
/// field.
result<polling_setting> parse_polling_setting(std::string_view body,
                                              const interval_limits& limits);

} // namespace jobsync::http
