#pragma once

// The tables that the build generates (embed.cmake writes their
// definitions into the build folder). Only web/assets.cpp reads them.

#include <cstddef>

namespace jobsync::web {

/// One embedded file as the generator writes it.
struct embedded_file {
  const char* name;
  const unsigned char* data;
  size_t size;
};

/// Every file of web/static, sorted by name.
extern const embedded_file embedded_files[];

/// Number of entries of embedded_files.
extern const size_t embedded_files_count;

/// The API's OpenAPI document, docs/openapi.json (one entry).
extern const embedded_file contract_files[];

/// Number of entries of contract_files.
extern const size_t contract_files_count;

} // namespace jobsync::web
