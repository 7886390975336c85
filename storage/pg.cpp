#include "storage/pg.hpp"

#include <cstdlib>
#include <cstring>

namespace jobsync::storage::pg {

namespace {

// Network byte order, as PostgreSQL's binary format has it.
template <class Uint>
void put_be(std::string& out, Uint x) {
  for (int shift = 8 * sizeof(Uint) - 8; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((x >> shift) & 0xFF));
}

uint64_t get_be(std::string_view in) {
  uint64_t x = 0;
  for (char c : in)
    x = (x << 8) | static_cast<uint8_t>(c);
  return x;
}

std::string trimmed(const char* message) {
  std::string out = message == nullptr ? "" : message;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

// libpq prints server notices ("relation already exists, skipping") to
// stderr by default; the store has nothing to learn from them.
void ignore_notice(void*, const char*) {}

} // namespace

// -- params ------------------------------------------------------------------

params& params::bytes(std::string_view x) {
  values_.push_back({std::string{x}, false, false});
  return *this;
}

params& params::int64(int64_t x) {
  value v;
  put_be(v.data, static_cast<uint64_t>(x));
  values_.push_back(std::move(v));
  return *this;
}

params& params::int16(int16_t x) {
  value v;
  put_be(v.data, static_cast<uint16_t>(x));
  values_.push_back(std::move(v));
  return *this;
}

params& params::float8(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return int64(static_cast<int64_t>(bits));
}

params& params::null() {
  values_.push_back({{}, true, false});
  return *this;
}

params& params::text_form(std::string x) {
  values_.push_back({std::move(x), false, true});
  return *this;
}

params::arrays params::view() const {
  arrays a;
  for (const auto& v : values_) {
    a.values.push_back(v.is_null ? nullptr : v.data.data());
    a.lengths.push_back(static_cast<int>(v.data.size()));
    a.formats.push_back(v.text ? 0 : 1);
  }
  return a;
}

std::string text_array(const std::vector<std::optional<std::string>>& xs) {
  std::string out = "{";
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0)
      out += ',';
    if (!xs[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (char c : *xs[i]) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// -- rows --------------------------------------------------------------------

rows& rows::operator=(rows&& other) noexcept {
  if (this != &other) {
    if (r_ != nullptr)
      PQclear(r_);
    r_ = other.r_;
    other.r_ = nullptr;
  }
  return *this;
}

rows::~rows() {
  if (r_ != nullptr)
    PQclear(r_);
}

uint64_t rows::affected() const {
  const char* n = r_ == nullptr ? "" : PQcmdTuples(r_);
  return n[0] == '\0' ? 0 : std::strtoull(n, nullptr, 10);
}

std::optional<int64_t> rows::integer(int row, int col) const {
  if (is_null(row, col))
    return std::nullopt;
  auto raw = bytes(row, col);
  auto x = get_be(raw);
  switch (raw.size()) {
  case 2:
    return static_cast<int16_t>(x);
  case 4:
    return static_cast<int32_t>(x);
  case 8:
    return static_cast<int64_t>(x);
  default:
    return std::nullopt;
  }
}

std::optional<double> rows::float8(int row, int col) const {
  if (is_null(row, col) || bytes(row, col).size() != 8)
    return std::nullopt;
  auto bits = get_be(bytes(row, col));
  double x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

// -- connection --------------------------------------------------------------

result<connection> connection::open(const settings& s) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : s) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  connection c{PQconnectdbParams(keys.data(), values.data(), 1)};
  if (c.conn_ == nullptr)
    return failure{errc::unavailable,
                   "the database is unavailable (connect): out of memory"};
  if (PQstatus(c.conn_) != CONNECTION_OK)
    return failure{errc::unavailable, "the database is unavailable (connect): "
                                          + trimmed(PQerrorMessage(c.conn_))};
  PQsetNoticeProcessor(c.conn_, ignore_notice, nullptr);
  return c;
}

connection::connection(connection&& other) noexcept
    : conn_(other.conn_), prepared_(std::move(other.prepared_)),
      state_(std::move(other.state_)) {
  other.conn_ = nullptr;
}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr)
      PQfinish(conn_);
    conn_ = other.conn_;
    prepared_ = std::move(other.prepared_);
    state_ = std::move(other.state_);
    other.conn_ = nullptr;
  }
  return *this;
}

connection::~connection() {
  if (conn_ != nullptr)
    PQfinish(conn_);
}

result<rows> connection::finish(PGresult* r, std::string_view origin) {
  auto status = r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    state_.clear();
    return rows{r};
  }
  const char* code
      = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  state_ = code == nullptr ? "" : code;
  auto f = failure_of(conn_, r, origin);
  if (r != nullptr)
    PQclear(r);
  return f;
}

result<rows> connection::exec(const std::string& sql, std::string_view origin) {
  return finish(PQexec(conn_, sql.c_str()), origin);
}

result<rows> connection::run(const statement& s, const params& p) {
  if (prepared_.count(s.name) == 0) {
    auto ready = finish(PQprepare(conn_, s.name, s.sql, 0, nullptr), s.name);
    if (!ready)
      return ready.error();
    prepared_.insert(s.name);
  }
  auto a = p.view();
  return finish(PQexecPrepared(conn_, s.name, p.size(), a.values.data(),
                               a.lengths.data(), a.formats.data(), 1),
                s.name);
}

bool is_conflict(std::string_view sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "23505";
}

failure failure_of(PGconn* conn, const PGresult* r, std::string_view origin) {
  std::string message
      = trimmed(r != nullptr ? PQresultErrorMessage(r) : nullptr);
  if (message.empty() && conn != nullptr)
    message = trimmed(PQerrorMessage(conn));
  const char* code
      = r == nullptr ? nullptr : PQresultErrorField(r, PG_DIAG_SQLSTATE);
  std::string_view state = code == nullptr ? "" : code;
  // Class 08: connection exceptions; 57P0x: the server is shutting down or
  // starting; class 53: out of disk, memory or connections.
  bool lost = conn == nullptr || PQstatus(conn) == CONNECTION_BAD
              || state.substr(0, 2) == "08" || state.substr(0, 4) == "57P0"
              || state.substr(0, 2) == "53";
  if (lost)
    return {errc::unavailable, "the database is unavailable ("
                                   + std::string{origin} + "): " + message};
  return {errc::internal,
          "database error in " + std::string{origin} + ": " + message};
}

} // namespace jobsync::storage::pg
