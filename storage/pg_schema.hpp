#pragma once

#include "storage/pg.hpp"

namespace jobsync::storage::pg {

/// Brings the database to the schema version this build writes (the number
/// of migrations, kept in `jobsync_meta` under `schema_version` like
/// LMDB's): creates the tables in an empty database, applies the
/// migrations an older one lacks, refuses one written by a newer jobsync.
/// Replicas starting together serialise on an advisory lock, so each
/// migration runs once.
result<void> migrate(connection& c);

} // namespace jobsync::storage::pg
