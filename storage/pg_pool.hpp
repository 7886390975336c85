#pragma once

#include "storage/pg.hpp"

#include <mutex>
#include <optional>
#include <vector>

namespace jobsync::storage::pg {

class pool;

/// A connection borrowed from the pool, given back on destruction (or
/// closed, when it broke).
class lease {
public:
  lease(pool& owner, connection c, bool reused)
      : owner_(&owner), conn_(std::move(c)), reused_(reused) {}
  lease(lease&& other) noexcept;
  lease& operator=(lease&& other) noexcept;
  lease(const lease&) = delete;
  lease& operator=(const lease&) = delete;
  ~lease();

  connection& operator*() {
    return *conn_;
  }

  connection* operator->() {
    return &*conn_;
  }

  /// It had been used before (and may have died while idle).
  bool reused() const {
    return reused_;
  }

private:
  pool* owner_;
  std::optional<connection> conn_;
  bool reused_;
};

/// Open connections to one database, shared by every thread of the process.
/// A request takes an idle connection or opens a new one, so it never
/// waits for another; at most `keep` idle connections stay open. Callers
/// (the actors) are as many as the pool is meant to serve.
class pool {
public:
  pool(settings s, size_t keep) : settings_(std::move(s)), keep_(keep) {}

  /// An idle connection, or a new one.
  result<lease> acquire();

  /// A new connection, for a caller whose idle one turned out dead.
  result<lease> fresh();

  /// Closes every idle connection: after one connection failed, the others
  /// most likely lead to the same dead server.
  void drop_idle();

  /// Takes a connection back (closing it when it broke or enough are idle).
  void release(connection c);

  /// The connection parameters (for connections kept outside the pool).
  const settings& connection_settings() const {
    return settings_;
  }

private:
  settings settings_;
  size_t keep_;
  std::mutex mtx_;
  std::vector<connection> idle_;
};

} // namespace jobsync::storage::pg
