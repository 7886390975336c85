#pragma once

// The table that the build generates from web/static (embed.cmake writes
// its definition into the build folder). Only web/assets.cpp reads it.

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
extern const size_t embedded_file_count;

} // namespace jobsync::web
