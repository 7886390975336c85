#pragma once

#include "model/status.hpp"

#include <optional>
#include <string_view>

namespace jobsync::providers::replicate {

/// Maps one of Replicate's status words to a job status: starting -> queued,
/// processing -> running, succeeded -> completed, failed -> failed,
/// canceled and aborted -> cancelled. Unknown words give nullopt.
std::optional<job_status> map_status(std::string_view word);

/// The error message given to a job Replicate aborted before it started
/// (when Replicate gave none).
inline constexpr std::string_view aborted_message
    = "Aborted by the provider: its deadline passed before it started";

} // namespace jobsync::providers::replicate
