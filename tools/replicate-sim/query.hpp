#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobsync::sim {

/// Query parameters in their order of appearance, decoded.
using query_params = std::vector<std::pair<std::string, std::string>>;

/// Percent-decodes (and turns `+` into a space, as in query strings);
/// nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);

/// Percent-encodes everything except RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

/// Parses `a=1&b=2` without throwing; nullopt on a malformed escape.
std::optional<query_params> parse_query(std::string_view query);

/// The first value of `name`, or nullptr.
const std::string* find_param(const query_params& params,
                              std::string_view name);

/// Serializes parameters (encoded) as `a=1&b=2`.
std::string build_query(const query_params& params);

} // namespace jobsync::sim
