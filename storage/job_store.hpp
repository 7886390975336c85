#pragma once

#include "model/freshness.hpp"
#include "model/job.hpp"
#include "model/job_filter.hpp"
#include "model/job_logs.hpp"
#include "model/metrics.hpp"
#include "model/payloads.hpp"
#include "model/result.hpp"
#include "model/server_figures.hpp"
#include "model/validation_image.hpp"
#include "storage/event_feed.hpp"
#include "storage/leader_locks.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::storage {

/// Which implementation keeps the jobs (`storage.backend`).
enum class backend {
  /// One process, a folder on local disk (the default).
  lmdb,
  /// A PostgreSQL database shared by several replicas.
  postgres,
};

/// How to reach the PostgreSQL database (`storage.postgres.*`).
struct postgres_options {
  /// A libpq connection string or URI.
  std::string url;
  /// A file whose first line is the password; empty: libpq's own sources
  /// (the URL, PGPASSWORD, ~/.pgpass).
  std::string password_file;
  /// Connections kept open for queries.
  size_t pool_size = 4;
  /// Committed events kept in the database for replicas that catch up
  /// (`events.replay_buffer`).
  size_t event_retention = 1000;
};

/// Which store, and where and how big it is.
struct store_options {
  /// The LMDB folder.
  std::string path;
  size_t map_size_bytes = size_t{4096} << 20;
  storage::backend backend = backend::lmdb;
  postgres_options postgres;
};

/// An LMDB store at `path` with a map of `map_size_bytes`.
inline store_options lmdb_options(std::string path, size_t map_size_bytes) {
  store_options o;
  o.path = std::move(path);
  o.map_size_bytes = map_size_bytes;
  return o;
}

/// The newest committed events, for a replay ring that starts with them.
struct event_backlog {
  /// The highest event id handed out so far (0 for a new store).
  uint64_t last_event_id = 0;
  /// The retained events up to last_event_id, oldest first; empty when the
  /// store keeps none (LMDB: one process sees its events as they happen).
  std::vector<job_changed> events;
};

/// Queries inside one read of the store. Everything it returns is copied
/// out, so results outlive the view.
class read_view {
public:
  virtual ~read_view() = default;

  /// One job; nullopt when unknown. On a write view the job stays locked
  /// until the transaction ends, so a writer elsewhere (another replica)
  /// waits and every merge starts from the newest committed value.
  virtual result<std::optional<job>> get(std::string_view job_id) const = 0;

  /// A job's stored log tail; nullopt when none was stored.
  virtual result<std::optional<job_logs>>
  logs(std::string_view job_id) const = 0;

  /// A local job's newest validation image; nullopt when none was stored.
  virtual result<std::optional<validation_image>>
  image(std::string_view job_id) const = 0;

  /// A newest-first page (created_at descending, then job_id descending)
  /// and the number of all jobs matching the filter.
  virtual result<job_page> list(const job_filter& filter, size_t limit,
                                size_t offset) const = 0;

  /// Number of jobs matching the filter, from the counters.
  virtual result<uint64_t> count(const job_filter& filter) const;

  /// Every non-zero counter: jobs by type, status and provider.
  virtual result<std::vector<job_tally>> counters() const = 0;

  /// Every active job of a provider, by job id.
  virtual result<std::vector<job>> active(std::string_view provider) const = 0;

  /// How many active jobs of each provider are stale at `now`, for every
  /// provider that has an active job (zeros included), in provider order.
  virtual result<std::vector<stale_tally>> stale(const staleness_rule& rule,
                                                 unix_ms now) const = 0;

  /// The id of the job stored for a provider's id, when it is another id:
  /// a job kept under its provider's own id (as jobs learned of from the
  /// provider are) is found by that id, so nullopt means "use the
  /// provider's id". (LMDB keeps no index entry for such a job.)
  virtual result<std::optional<std::string>>
  find_external(std::string_view provider,
                std::string_view external_id) const = 0;

  /// Whether a webhook id has been applied to a job (and not yet pruned).
  virtual result<bool> has_webhook(std::string_view job_id,
                                   std::string_view webhook_id) const = 0;

  /// The highest event id handed out so far (0 for a new store).
  virtual result<uint64_t> last_event_id() const = 0;

  /// The last event id and up to `limit` of the newest retained events.
  virtual result<event_backlog> recent_events(size_t limit) const = 0;

  /// Dashboard figures over jobs created at or after `since`.
  virtual result<metrics_report> metrics(unix_ms since,
                                         int period_days) const = 0;
  /// A setting kept beside the jobs (such as the polling preference set at
  /// runtime), as stored; nullopt when none was stored under `key`.
  virtual result<std::optional<std::string>>
  setting(std::string_view key) const = 0;
};

/// A write transaction: the registry's only way to change the store.
/// Nothing is visible to readers until commit(); destroying the view
/// without a commit discards everything.
class write_view : public read_view {
public:
  /// Inserts or replaces a job and keeps every index and counter in step.
  virtual result<void> put(const job& x) = 0;

  /// Records that the provider confirmed a stored job's state at `at`
  /// (its `synced_at`) without rendering it again or touching an index;
  /// false when the job is unknown.
  virtual result<bool> confirm(std::string_view job_id, unix_ms at) = 0;

  /// Removes a job, its indexes, its logs and its image; false when it was
  /// unknown.
  virtual result<bool> erase(std::string_view job_id) = 0;

  /// Stores a job's log tail.
  virtual result<void> put_logs(std::string_view job_id, const job_logs& x) = 0;

  /// Stores a job's newest validation image (replacing the one before).
  virtual result<void> put_image(std::string_view job_id,
                                 const validation_image& x)
      = 0;

  /// Records that a webhook id is applied to a job (the one its delivery
  /// is about, stored yet or not) by this transaction: true when it was
  /// new, false for a duplicate. A webhook id names one message about one
  /// job, so LMDB keeps it beside the job (where the delivery writes
  /// anyway) and PostgreSQL in one table of ids. A transaction elsewhere
  /// that claimed the same id and has not ended yet is waited for, so
  /// exactly one of two concurrent deliveries wins.
  virtual result<bool> claim_webhook(std::string_view job_id,
                                     std::string_view webhook_id,
                                     unix_ms received)
      = 0;

  /// Forgets webhook ids received before `cutoff`; returns how many.
  virtual result<size_t> prune_webhooks(unix_ms cutoff) = 0;
  /// Stores a setting, replacing what was stored under `key`.
  virtual result<void> put_setting(std::string_view key, std::string_view value)
      = 0;

  /// Gives the events the next ids of the store's one sequence and keeps
  /// them with the transaction. Ids follow commit order: a transaction
  /// elsewhere that numbers events waits until this one has ended.
  virtual result<void> number_events(std::vector<job_changed>& events) = 0;

  /// Makes every change durable and visible.
  virtual result<void> commit() = 0;

  /// Whether the last failure was a conflict with a concurrent writer (a
  /// deadlock, or a job another replica created meanwhile): the whole
  /// transaction may be run again from the start.
  virtual bool conflicted() const {
    return false;
  }
};

/// The store of jobs. Any number of readers run beside the writer; the
/// registry actor is the only writer of a process.
class job_store {
public:
  /// Opens (creating or migrating) the store the options name.
  static result<std::unique_ptr<job_store>> open(const store_options& opts);

  virtual ~job_store() = default;

  /// Starts a read.
  virtual result<std::unique_ptr<read_view>> begin_read() const = 0;

  /// Starts the write transaction.
  virtual result<std::unique_ptr<write_view>> begin_write() = 0;

  /// Whether a write could succeed now (readiness): the database answers,
  /// and the last write did not run out of space.
  virtual result<void> check() const = 0;

  /// Whether queries wait on the network (the actors that use the store
  /// then get threads of their own).
  virtual bool remote() const = 0;

  /// Follows the events that every writer of a shared store commits,
  /// starting after `after`, until the feed is destroyed; nullptr when the
  /// store is not shared (the registry's own events are all there are).
  virtual result<std::unique_ptr<event_feed>>
  follow_events(uint64_t after, event_handlers handlers) const = 0;

  /// This replica's claim on polling providers among the replicas that
  /// share the store, under the name `replica`; nullptr when the store is
  /// not shared (a replica on its own always polls).
  virtual result<std::unique_ptr<leader_locks>>
  claim_polling(const std::string& replica) const = 0;

  /// Where the data is, for logs (never a password).
  virtual std::string describe() const = 0;
};

} // namespace jobsync::storage
