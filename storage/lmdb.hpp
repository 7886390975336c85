#pragma once

#include "model/result.hpp"

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::storage {

/// Maps an LMDB return code to a failure, naming where it happened.
/// MDB_MAP_FULL becomes `unavailable` with advice; everything else is
/// `internal`.
failure lmdb_failure(int rc, std::string_view origin);

/// Views LMDB bytes as text (valid only while the transaction lives).
inline std::string_view as_view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

/// Points an MDB_val at bytes owned by the caller.
inline MDB_val as_val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

/// An open LMDB environment (one directory). Closed on destruction.
class environment {
public:
  /// Opens (creating the directory if needed) with MDB_NOTLS, since CAF
  /// actors hop threads, and clears stale reader slots left by crashed
  /// processes.
  static result<environment> open(const std::string& path,
                                  size_t map_size_bytes, unsigned max_dbs);

  environment(environment&& other) noexcept;
  environment& operator=(environment&& other) noexcept;
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment();

  MDB_env* get() const {
    return env_;
  }

  /// Number of stale reader slots cleared at open.
  int stale_readers_cleared() const {
    return stale_readers_;
  }

private:
  environment() = default;

  MDB_env* env_ = nullptr;
  int stale_readers_ = 0;
};

/// A transaction that aborts on destruction unless committed.
class transaction {
public:
  /// Begins a read-only or read-write transaction.
  static result<transaction> begin(const environment& env, bool read_only);

  transaction(transaction&& other) noexcept;
  transaction& operator=(transaction&&) = delete;
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction();

  /// Commits; the transaction is finished either way.
  result<void> commit();

  MDB_txn* get() const {
    return txn_;
  }

  /// Reads a value; nullopt when the key is absent.
  result<std::optional<std::string_view>> get(MDB_dbi dbi,
                                              std::string_view key) const;

  /// Writes a value.
  result<void> put(MDB_dbi dbi, std::string_view key, std::string_view value);

  /// Deletes a key; absent keys are not an error.
  result<void> del(MDB_dbi dbi, std::string_view key);

private:
  explicit transaction(MDB_txn* txn) : txn_(txn) {}

  MDB_txn* txn_ = nullptr;
};

/// A cursor closed on destruction (read cursors must close before the txn).
class cursor {
public:
  /// Opens a cursor on `dbi` inside `txn`.
  static result<cursor> open(const transaction& txn, MDB_dbi dbi);

  cursor(cursor&& other) noexcept;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  cursor& operator=(cursor&&) = delete;
  ~cursor();

  /// Positions the cursor; false at the end (MDB_NOTFOUND).
  result<bool> move(MDB_cursor_op op, MDB_val& key, MDB_val& value);

  /// Deletes the entry under the cursor.
  result<void> del();

private:
  explicit cursor(MDB_cursor* c) : cursor_(c) {}

  MDB_cursor* cursor_ = nullptr;
};

} // namespace jobsync::storage
