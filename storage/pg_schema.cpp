#include "storage/pg_schema.hpp"

#include <array>
#include <string>

namespace jobsync::storage::pg {

namespace {

// Any number every replica agrees on: the key of the advisory lock held
// while the schema is checked and migrated ("jobsync" in ASCII).
constexpr const char* migration_lock = "30520206536896355";

// Migration i brings a database from version i to i + 1. Never edit a
// published one: add the next. Text columns that take part in ordering or
// lookups use the "C" collation, so they compare byte-wise as in LMDB,
// whatever the database's locale.
constexpr std::array<const char*, 4> migrations = {
    // 1: jobs with their index columns, log tails, webhook ids, counters
    // and the shared event log.
    R"sql(
CREATE TABLE jobsync_jobs (
  job_id text COLLATE "C" PRIMARY KEY,
  created_ms bigint NOT NULL,
  status smallint NOT NULL,
  type smallint NOT NULL,
  provider text COLLATE "C",
  external_id text COLLATE "C" NOT NULL DEFAULT '',
  cost_usd double precision,
  run_ms bigint,
  value bytea NOT NULL
);
CREATE INDEX jobsync_jobs_by_created ON jobsync_jobs (created_ms, job_id);
CREATE INDEX jobsync_jobs_by_external ON jobsync_jobs (provider, external_id)
  WHERE external_id <> '';
CREATE INDEX jobsync_jobs_active ON jobsync_jobs (provider, job_id)
  WHERE status < 4;
CREATE TABLE jobsync_logs (
  job_id text COLLATE "C" PRIMARY KEY,
  value bytea NOT NULL
);
CREATE TABLE jobsync_webhooks (
  webhook_id text COLLATE "C" PRIMARY KEY,
  received_ms bigint NOT NULL
);
CREATE INDEX jobsync_webhooks_by_received ON jobsync_webhooks (received_ms);
CREATE TABLE jobsync_counts (
  type smallint NOT NULL,
  status smallint NOT NULL,
  provider text COLLATE "C" NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (type, status, provider)
);
CREATE TABLE jobsync_events (
  id bigint PRIMARY KEY,
  job_id text NOT NULL,
  provider text,
  previous smallint,
  status smallint NOT NULL,
  stage text,
  progress double precision
);
INSERT INTO jobsync_meta (key, value) VALUES ('last_event_id', 0);
)sql",
    // 2: when the provider last confirmed each job (also in the value's
    // header); NULL for jobs stored before, which were never confirmed.
    R"sql(
ALTER TABLE jobsync_jobs ADD COLUMN synced_ms bigint;
)sql",
    // 3: local runs' newest validation images (the storage codec's value),
    // apart from jobs and logs so that neither carries megabytes.
    R"sql(
CREATE TABLE jobsync_images (
  job_id text COLLATE "C" PRIMARY KEY,
  value bytea NOT NULL
);
)sql",
    // 4: settings kept beside the jobs (the polling preference set at
    // runtime), as text by key.
    R"sql(
CREATE TABLE jobsync_settings (
  key text COLLATE "C" PRIMARY KEY,
  value text NOT NULL
);
)sql",
};

} // namespace

result<void> migrate(connection& c) {
  auto begun = c.exec("BEGIN", "begin migration");
  if (!begun)
    return begun.error();
  auto locked = c.exec(std::string{"SELECT pg_advisory_xact_lock("}
                           + migration_lock + ")",
                       "lock for migration");
  if (!locked)
    return locked.error();
  auto meta = c.exec("CREATE TABLE IF NOT EXISTS jobsync_meta ("
                     "key text COLLATE \"C\" PRIMARY KEY, value bigint NOT "
                     "NULL)",
                     "create jobsync_meta");
  if (!meta)
    return meta.error();
  auto stored
      = c.exec("SELECT value FROM jobsync_meta WHERE key = 'schema_version'",
               "read schema_version");
  if (!stored)
    return stored.error();
  uint64_t version = 0;
  if (stored->size() == 1)
    version = std::stoull(std::string{stored->bytes(0, 0)});
  if (version > migrations.size())
    return failure{errc::internal,
                   "the database has schema version " + std::to_string(version)
                       + ", newer than this jobsync's "
                       + std::to_string(migrations.size())
                       + "; it was written by a newer jobsync version"};
  for (auto i = version; i < migrations.size(); ++i) {
    auto done = c.exec(migrations[i],
                       "migration to version " + std::to_string(i + 1));
    if (!done)
      return done.error();
  }
  if (version < migrations.size()) {
    auto saved = c.exec("INSERT INTO jobsync_meta (key, value) VALUES "
                        "('schema_version', "
                            + std::to_string(migrations.size())
                            + ") ON CONFLICT (key) DO UPDATE SET value = "
                              "EXCLUDED.value",
                        "write schema_version");
    if (!saved)
      return saved.error();
  }
  auto committed = c.exec("COMMIT", "commit migration");
  if (!committed)
    return committed.error();
  return {};
}

} // namespace jobsync::storage::pg
