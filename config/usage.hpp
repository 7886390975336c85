#pragma once

#include <string>
#include <string_view>

namespace jobsync::config {

/// The --help text: flags, precedence, environment rules and every key with
/// its default, all taken from the key table.
std::string usage_text(std::string_view program);

} // namespace jobsync::config
