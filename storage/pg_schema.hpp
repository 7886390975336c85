#pragma once

#include "storage/pg.hpp"

#include <cstdint>

namespace jobsync::storage::pg {

/// The schema version this build writes: the number of migrations. Kept in
/// `jobsync_meta` under `schema_version`, like LMDB's.
uint64_t schema_version();

/// Brings the database to schema_version(): creates the tables on an empty
/// database, applies the migrations a older one lacks, refuses one written
/// by a newer jobsync. Replicas starting together serialise on an advisory
/// lock, so each migration runs once.
result<void> migrate(connection& c);

} // namespace jobsync::storage::pg
