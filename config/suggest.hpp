#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jobsync::config {

/// " (did you mean X?)" when one of `candidates` is a likely intended
/// spelling of `wrong`, otherwise "". Typos in keys are the most common
/// configuration mistake, and the fix is usually one edit away.
std::string did_you_mean(std::string_view wrong,
                         const std::vector<std::string>& candidates);

} // namespace jobsync::config
