#pragma once

#include "storage/job_store.hpp"
#include "storage/lmdb.hpp"
#include "storage/written_jobs.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace jobsync::storage {

/// The LMDB store's schema version; kept in `meta` and checked at open.
inline constexpr uint64_t lmdb_schema_version = 3;

/// The named databases of the LMDB store (docs/architecture.md, "Storage").
struct tables {
  /// Jobs that are not finished, each with what is kept beside it: a small
  /// table whose few pages every commit of deliveries changes anyway.
  MDB_dbi live = 0;
  /// Finished jobs (and, until written again, the active jobs a folder
  /// from before version 3 stored), each with what is kept beside it.
  MDB_dbi jobs = 0;
  MDB_dbi by_created = 0;
  MDB_dbi by_external = 0;
  MDB_dbi active = 0;
  /// Webhook ids claimed before schema version 2 (read until pruned).
  MDB_dbi webhooks = 0;
  /// Webhook ids by when they were received, for pruning (the claims
  /// themselves are beside their jobs).
  MDB_dbi claims = 0;
  /// Log tails stored before schema version 2 (read until replaced).
  MDB_dbi logs = 0;
  MDB_dbi images = 0;
  MDB_dbi meta = 0;
};

/// The jobs in an LMDB environment: any number of readers run beside one
/// writer (MVCC); nothing is shared with other processes.
class lmdb_store : public job_store {
public:
  /// Opens or creates the store, checks the schema version and clears
  /// stale readers (logged).
  static result<std::unique_ptr<lmdb_store>> open(const store_options& opts);

  result<std::unique_ptr<read_view>> begin_read() const override;

  /// Blocks while another write transaction is open.
  result<std::unique_ptr<write_view>> begin_write() override;

  /// Fails while the map is full: from a write that ran out of space until
  /// a commit succeeds again.
  result<void> check() const override;

  bool remote() const override {
    return false;
  }

  /// nullptr: the registry's events are all there are.
  result<std::unique_ptr<event_feed>>
  follow_events(uint64_t after, event_handlers handlers) const override;

  /// nullptr: one process, which always polls.
  result<std::unique_ptr<leader_locks>>
  claim_polling(const std::string& replica) const override;

  std::string describe() const override;

  /// Remembers why writes fail until a commit succeeds (nullopt clears).
  void note_full(std::optional<failure> why);

  /// The jobs write transactions stored or read last (for them only: LMDB
  /// runs one at a time).
  written_jobs& written() {
    return written_;
  }

private:
  lmdb_store(environment env, std::string path)
      : env_(std::move(env)), path_(std::move(path)) {}

  environment env_;
  std::string path_;
  tables tables_;
  mutable std::mutex mtx_;
  std::optional<failure> full_;
  written_jobs written_;
};

} // namespace jobsync::storage
