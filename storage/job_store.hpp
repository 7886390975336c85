#pragma once

#include "model/job.hpp"
#include "model/job_filter.hpp"
#include "model/job_logs.hpp"
#include "model/metrics.hpp"
#include "model/result.hpp"
#include "model/server_figures.hpp"
#include "model/validation_image.hpp"
#include "storage/lmdb.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::storage {

/// The store's schema version; kept in `meta` and checked at open.
inline constexpr uint64_t schema_version = 1;

/// Where and how big the store is.
struct store_options {
  std::string path;
  size_t map_size_bytes = size_t{4096} << 20;
};

/// The named databases of the store (DESIGN.md, "Storage").
struct tables {
  MDB_dbi jobs = 0;
  MDB_dbi by_created = 0;
  MDB_dbi by_external = 0;
  MDB_dbi active = 0;
  MDB_dbi webhooks = 0;
  MDB_dbi logs = 0;
  MDB_dbi images = 0;
  MDB_dbi meta = 0;
};

/// Queries inside one transaction (read-only or read-write). Everything it
/// returns is copied out of LMDB, so results outlive the transaction.
class read_view {
public:
  read_view(transaction txn, const tables& t) : txn_(std::move(txn)), t_(t) {}

  /// One job; nullopt when unknown.
  result<std::optional<job>> get(std::string_view job_id) const;

  /// A job's stored log tail; nullopt when none was stored.
  result<std::optional<job_logs>> logs(std::string_view job_id) const;

  /// A local job's newest validation image; nullopt when none was stored.
  result<std::optional<validation_image>> image(std::string_view job_id) const;

  /// A newest-first page (created_at descending, then job_id descending)
  /// and the number of all jobs matching the filter.
  result<job_page> list(const job_filter& filter, size_t limit,
                        size_t offset) const;

  /// Number of jobs matching the filter, from the counters.
  result<uint64_t> count(const job_filter& filter) const;

  /// Every counter: jobs by type, status and provider.
  result<std::vector<job_tally>> counters() const;

  /// Every active job of a provider.
  result<std::vector<job>> active(std::string_view provider) const;

  /// The job id stored for a provider's id.
  result<std::optional<std::string>>
  find_external(std::string_view provider, std::string_view external_id) const;

  /// Whether a webhook id has been applied (and not yet pruned).
  result<bool> has_webhook(std::string_view webhook_id) const;

  /// The highest event id handed out so far (0 for a new store).
  result<uint64_t> last_event_id() const;

  /// Dashboard figures over jobs created at or after `since`.
  result<metrics_report> metrics(unix_ms since, int period_days) const;

protected:
  transaction txn_;
  const tables& t_;
};

/// A read-write transaction: the registry's only way to change the store.
/// Nothing is visible to readers until commit().
class write_view : public read_view {
public:
  using read_view::read_view;

  /// Inserts or replaces a job and keeps every index and counter in step.
  result<void> put(const job& x);

  /// Removes a job, its indexes, its logs and its image; false when it was
  /// unknown.
  result<bool> erase(std::string_view job_id);

  /// Stores a job's log tail.
  result<void> put_logs(std::string_view job_id, const job_logs& x);

  /// Stores a job's newest validation image (replacing the one before).
  result<void> put_image(std::string_view job_id, const validation_image& x);

  /// Remembers that a webhook id was applied at `received`.
  result<void> record_webhook(std::string_view webhook_id, unix_ms received);

  /// Forgets webhook ids received before `cutoff`; returns how many.
  result<size_t> prune_webhooks(unix_ms cutoff);

  /// Stores the highest event id handed out.
  result<void> set_last_event_id(uint64_t id);

  /// Makes every change durable and visible.
  result<void> commit();

private:
  result<void> remove_entries(const job& old);
  result<void> add_to_counter(const job& x, int delta);
};

/// The LMDB store of jobs. Any number of readers run beside one writer
/// (LMDB MVCC); the registry actor is the only writer.
class job_store {
public:
  /// Opens or creates the store, checks the schema version and clears
  /// stale readers.
  static result<std::unique_ptr<job_store>> open(const store_options& opts);

  /// Starts a read-only transaction.
  result<read_view> begin_read() const;

  /// Starts the read-write transaction (blocks while another is open).
  result<write_view> begin_write();

  /// Stale reader slots cleared at open.
  int stale_readers_cleared() const {
    return env_.stale_readers_cleared();
  }

private:
  explicit job_store(environment env) : env_(std::move(env)) {}

  environment env_;
  tables tables_;
};

} // namespace jobsync::storage
