#pragma once

#include "model/provider_snapshot.hpp"
#include "model/result.hpp"
#include "providers/hardware_pricing.hpp"

#include <rapidjson/document.h>

#include <string_view>

namespace jobsync::providers::replicate {

/// Maps a Replicate prediction or training object (a list entry, a GET or
/// cancel answer, or a webhook body) into a provider snapshot. Refuses
/// (bad_request, with the reason) only bodies without a usable identity:
/// not an object, `id` or `status` missing, not a string, or empty. Every
/// other field is optional and a value of the wrong type or format is
/// treated as absent. An `aborted` job without an error gets
/// aborted_message.
result<provider_snapshot> parse_job(const rapidjson::Value& body,
                                    const hardware_pricing& pricing,
                                    std::string_view provider_name);

/// Same as parse_job, from the raw JSON text (a webhook body); text that is
/// not JSON is refused with the parser's reason.
result<provider_snapshot> parse_job_json(std::string_view text,
                                         const hardware_pricing& pricing,
                                         std::string_view provider_name);

} // namespace jobsync::providers::replicate
