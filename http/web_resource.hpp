#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::http {

/// Whether an If-None-Match header value matches an ETag (`*`, a list,
/// weak `W/` forms compared weakly as RFC 9110 asks for GET).
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// `GET /`: the dashboard page.
handler dashboard_page(std::shared_ptr<const api> a);

/// `GET /assets/{file}`: the dashboard's scripts, styles and icons.
handler dashboard_asset(std::shared_ptr<const api> a);

/// `GET /api/openapi.json`: the API's OpenAPI 3.1 document (the repository's
/// docs/openapi.json, embedded at build time), with an ETag.
handler openapi_document();

/// `GET /api/ui/config`: what the page needs to know about the server
/// (`{"demo": bool, "version": "..."}`).
handler ui_config(std::shared_ptr<const api> a);

} // namespace jobsync::http
