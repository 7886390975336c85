#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobsync::providers {

/// Whether `text` is an absolute http:// or https:// URL.
bool is_http_url(std::string_view text);

/// Percent-encodes everything but RFC 3986 unreserved characters, so that
/// a job id can never change the shape of a URL path.
std::string percent_encode(std::string_view text);

/// `base` without trailing slashes, then `/`, then each part.
std::string join_url(std::string_view base, std::string_view path);

/// The URL to fetch for a pagination `next` link found in a response from
/// `base`: absolute links are kept verbatim, relative ones are resolved
/// against `base`. nullopt when the link points at another host or port
/// (the request would carry our API token there) or does not parse. A
/// plain-http link to the same host as an https base is upgraded to https
/// for the same reason.
std::optional<std::string> resolve_next_url(std::string_view base,
                                            std::string_view next);

} // namespace jobsync::providers
