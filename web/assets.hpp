#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::web {

/// One file of the dashboard.
struct asset {
  /// The file name inside web/static ("index.html", "app.js", ...).
  std::string_view name;
  std::string_view content_type;
  /// A strong validator of the body, quoted as HTTP wants it.
  std::string etag;
  std::string_view body;
};

/// Every file of web/static, compiled into the binary at build time.
const std::vector<asset>& embedded_assets();

/// The API's OpenAPI 3.1 document (docs/openapi.json), compiled into the
/// binary at build time.
const asset& api_contract();

/// The embedded file with this name; nullptr when there is none.
const asset* find_embedded(std::string_view name);

/// The Content-Type of a file name by its extension
/// (`application/octet-stream` for unknown ones).
std::string_view content_type_of(std::string_view name);

/// A quoted strong ETag of a body (a 64-bit FNV-1a hash and the size).
std::string etag_of(std::string_view body);

/// Whether a name may be looked up as a file of the dashboard folder: one
/// path segment of letters, digits, '.', '-' and '_', not starting with '.'
/// (no traversal, no hidden files).
bool is_safe_name(std::string_view name);

} // namespace jobsync::web
