#pragma once

// A thin RAII layer over libpq's C API: connections, prepared statements
// with binary parameters and results, and one mapping of libpq and server
// errors to failures. libpq rather than libpqxx: Debian 12's libpqxx 6.4
// predates C++17 idioms (it throws, and its binary support is poor), while
// what the store needs from libpq is a dozen calls.

#include "model/result.hpp"

#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace jobsync::storage::pg {

/// A statement of the store's catalog: a stable name (prepared once per
/// connection, on first use) and its SQL. Every parameter's type is fixed by
/// a cast in the SQL (`$1::bigint`), so binary parameters are read right.
struct statement {
  const char* name;
  const char* sql;
};

/// Connection parameters as libpq keywords and values, applied in order: a
/// `dbname` holding a connection string or URI is expanded, and later
/// entries override what it says.
using settings = std::vector<std::pair<std::string, std::string>>;

/// The parameters of one statement, binary unless given as text.
class params {
public:
  /// A text or bytea value (the same bytes in binary form).
  params& bytes(std::string_view x);
  params& int64(int64_t x);
  params& int16(int16_t x);
  params& float8(double x);
  /// SQL NULL.
  params& null();
  /// A value in PostgreSQL's text form (arrays: see text_array).
  params& text_form(std::string x);

  /// The value, or NULL.
  params& bytes(const std::optional<std::string>& x) {
    return x ? bytes(std::string_view{*x}) : null();
  }

  params& bytes(const std::string& x) {
    return bytes(std::string_view{x});
  }

  params& bytes(const char* x) {
    return bytes(std::string_view{x});
  }

  int size() const {
    return static_cast<int>(values_.size());
  }

  /// libpq's parallel arrays, valid while this object is unchanged.
  struct arrays {
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
  };
  arrays view() const;

private:
  struct value {
    std::string data;
    bool is_null = false;
    bool text = false;
  };
  std::vector<value> values_;
};

/// An array literal in PostgreSQL's text form (`{"a",NULL,"b"}`), for
/// `unnest($1::text[])`: one parameter carries a whole batch of rows.
std::string text_array(const std::vector<std::optional<std::string>>& xs);

/// A statement's rows, in binary form. Freed on destruction.
class rows {
public:
  explicit rows(PGresult* r = nullptr) : r_(r) {}
  rows(rows&& other) noexcept : r_(other.r_) {
    other.r_ = nullptr;
  }
  rows& operator=(rows&& other) noexcept;
  rows(const rows&) = delete;
  rows& operator=(const rows&) = delete;
  ~rows();

  int size() const {
    return r_ == nullptr ? 0 : PQntuples(r_);
  }

  /// Rows a command changed (DELETE, UPDATE, INSERT).
  uint64_t affected() const;

  bool is_null(int row, int col) const {
    return PQgetisnull(r_, row, col) != 0;
  }

  /// A text or bytea column.
  std::string_view bytes(int row, int col) const {
    return {PQgetvalue(r_, row, col),
            static_cast<size_t>(PQgetlength(r_, row, col))};
  }

  /// A smallint, integer or bigint column (by its width); nullopt for NULL
  /// or another width.
  std::optional<int64_t> integer(int row, int col) const;

  /// A double precision column; nullopt for NULL.
  std::optional<double> float8(int row, int col) const;

  /// A text column that may be NULL.
  std::optional<std::string> text(int row, int col) const {
    if (is_null(row, col))
      return std::nullopt;
    return std::string{bytes(row, col)};
  }

private:
  PGresult* r_;
};

/// One open connection. Closed on destruction.
class connection {
public:
  /// Connects (blocking, within the settings' connect_timeout). A failure
  /// is `unavailable`, with libpq's reason.
  static result<connection> open(const settings& s);

  connection(connection&& other) noexcept;
  connection& operator=(connection&& other) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Runs SQL text through the simple protocol (several statements may be
  /// separated by semicolons; results are text).
  result<rows> exec(const std::string& sql, std::string_view origin);

  /// Runs a catalog statement (prepared on first use on this connection),
  /// with binary results.
  result<rows> run(const statement& s, const params& p);

  /// Whether the connection is lost (it is then useless).
  bool broken() const {
    return conn_ == nullptr || PQstatus(conn_) == CONNECTION_BAD;
  }

  /// The SQLSTATE of the last failure ("" when it had none).
  const std::string& last_state() const {
    return state_;
  }

  PGconn* get() const {
    return conn_;
  }

private:
  explicit connection(PGconn* c) : conn_(c) {}

  // Checks a finished statement; a failure records its SQLSTATE.
  result<rows> finish(PGresult* r, std::string_view origin);

  PGconn* conn_ = nullptr;
  std::unordered_set<std::string> prepared_;
  std::string state_;
};

/// Whether a SQLSTATE says the transaction lost a race with a concurrent
/// one (deadlock, serialization failure, a key inserted meanwhile) and may
/// simply be run again.
bool is_conflict(std::string_view sqlstate);

/// What the server and libpq say about a failure, mapped once: a lost or
/// refused connection, a server shutting down or out of resources is
/// `unavailable` (the caller may try again later); anything else is
/// `internal`.
failure failure_of(PGconn* conn, const PGresult* r, std::string_view origin);

} // namespace jobsync::storage::pg
