#pragma once

#include "storage/job_store.hpp"
#include "storage/pg_pool.hpp"

#include <memory>
#include <string>

namespace jobsync::storage {

/// The jobs in a PostgreSQL database that several jobsyncd replicas share.
/// Reads run as single statements on pooled connections; a write view is
/// one transaction whose job reads lock their rows, so merges of
/// concurrent writers never lose an update. Counters are kept in a table
/// changed by the same transaction; events are numbered under a lock on the
/// event counter (commit order) and announced with NOTIFY.
class pg_store : public job_store {
public:
  /// Connects, creates or migrates the schema, and keeps the connection for
  /// the pool. A password file that cannot be read, an unreachable
  /// database or a schema from a newer jobsync fail.
  static result<std::unique_ptr<pg_store>> open(const postgres_options& opts);

  result<std::unique_ptr<read_view>> begin_read() const override;
  result<std::unique_ptr<write_view>> begin_write() override;

  /// The database answers and accepts writes (is not a standby).
  result<void> check() const override;

  bool remote() const override {
    return true;
  }

  /// A pg_event_feed on a connection of its own.
  result<std::unique_ptr<event_feed>>
  follow_events(uint64_t after, event_handlers handlers) const override;

  /// A pg_leader_locks on a connection of its own.
  result<std::unique_ptr<leader_locks>>
  claim_polling(const std::string& replica) const override;

  std::string describe() const override {
    return description_;
  }

private:
  pg_store(pg::settings s, size_t pool_size, size_t event_retention)
      : pool_(std::move(s), pool_size), event_retention_(event_retention) {}

  mutable pg::pool pool_;
  size_t event_retention_;
  std::string description_;
};

/// The libpq parameters for the options: short connect timeout, TCP
/// keepalives that notice a dead server within a minute, the URL, and the
/// password file's first line (which overrides the URL's password).
result<pg::settings> connection_settings(const postgres_options& opts);

} // namespace jobsync::storage
