#pragma once

#include "storage/leader_locks.hpp"
#include "storage/pg.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace jobsync::storage {

/// Polling leadership on PostgreSQL: one session advisory lock per provider
/// on a connection of its own, named after the replica (its
/// application_name), so that every replica can read who holds each lock
/// from pg_locks and pg_stat_activity. The server releases a session's
/// locks when the session ends: at once when the replica stops or is
/// killed (its socket closes), within about 30 s when the network between
/// them fails (the session's keepalives).
class pg_leader_locks final : public leader_locks {
public:
  /// `s`: the store's connection parameters; `replica`: this replica's name.
  pg_leader_locks(pg::settings s, std::string_view replica);

  /// Connects when it has no connection, takes every free lock and reads
  /// the holders. A failure closes the connection (giving up its locks).
  result<std::map<std::string, poll_leadership>>
  claim(const std::vector<std::string>& providers) override;

  /// The first key of every polling lock ("jsyn"): keeps them apart from
  /// other advisory locks of the database (the schema's is a single key).
  static constexpr int64_t lock_class = 0x6a73796e;

  /// The second key of a provider's lock: a 31-bit hash of its name that
  /// every replica computes alike.
  static int64_t lock_key(std::string_view provider);

private:
  struct holder {
    std::string name;
    bool self = false;
  };

  // The holders of the polling locks, by second key.
  result<std::map<int64_t, holder>> holders();

  result<std::map<std::string, poll_leadership>>
  claim_on_connection(const std::vector<std::string>& providers);

  pg::settings settings_;
  std::optional<pg::connection> conn_;
};

} // namespace jobsync::storage
