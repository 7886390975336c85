#pragma once

// The store a bench tool writes to, from its command line: an LMDB data
// folder, or a PostgreSQL database given by a postgresql:// URL.

#include "storage/job_store.hpp"

#include <string>

namespace jobsync::bench {

inline storage::store_options store_arg(const std::string& where,
                                        size_t map_size_bytes) {
  auto options = storage::lmdb_options(where, map_size_bytes);
  if (where.rfind("postgresql://", 0) == 0) {
    options.backend = storage::backend::postgres;
    options.postgres.url = where;
  }
  return options;
}

} // namespace jobsync::bench
