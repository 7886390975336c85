#include "storage/lmdb.hpp"

#include <filesystem>
#include <string>

namespace jobsync::storage {

failure lmdb_failure(int rc, std::string_view origin) {
  if (rc == MDB_MAP_FULL)
    return {errc::unavailable,
            "storage is full (" + std::string{origin}
                + "): raise storage.map_size_mb and restart"};
  return {errc::internal,
          "storage error in " + std::string{origin} + ": " + mdb_strerror(rc)};
}

result<environment> environment::open(const std::string& path,
                                      size_t map_size_bytes, unsigned max_dbs) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec)
    return failure{errc::internal, "cannot create storage directory " + path
                                       + ": " + ec.message()};
  environment env;
  int rc = mdb_env_create(&env.env_);
  if (rc != 0)
    return lmdb_failure(rc, "mdb_env_create");
  if ((rc = mdb_env_set_mapsize(env.env_, map_size_bytes)) != 0)
    return lmdb_failure(rc, "mdb_env_set_mapsize");
  if ((rc = mdb_env_set_maxdbs(env.env_, max_dbs)) != 0)
    return lmdb_failure(rc, "mdb_env_set_maxdbs");
  // Many HTTP threads read at once; the default of 126 slots is enough for
  // the reader pool but not for tools opening the store beside the server.
  if ((rc = mdb_env_set_maxreaders(env.env_, 512)) != 0)
    return lmdb_failure(rc, "mdb_env_set_maxreaders");
  if ((rc = mdb_env_open(env.env_, path.c_str(), MDB_NOTLS, 0644)) != 0)
    return lmdb_failure(rc, "mdb_env_open " + path);
  if ((rc = mdb_reader_check(env.env_, &env.stale_readers_)) != 0)
    return lmdb_failure(rc, "mdb_reader_check");
  return env;
}

environment::environment(environment&& other) noexcept
    : env_(other.env_), stale_readers_(other.stale_readers_) {
  other.env_ = nullptr;
}

environment& environment::operator=(environment&& other) noexcept {
  if (this != &other) {
    if (env_ != nullptr)
      mdb_env_close(env_);
    env_ = other.env_;
    stale_readers_ = other.stale_readers_;
    other.env_ = nullptr;
  }
  return *this;
}

environment::~environment() {
  if (env_ != nullptr)
    mdb_env_close(env_);
}

result<transaction> transaction::begin(const environment& env, bool read_only) {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env.get(), nullptr, read_only ? MDB_RDONLY : 0, &txn);
  if (rc != 0)
    return lmdb_failure(rc, "mdb_txn_begin");
  return transaction{txn};
}

transaction::transaction(transaction&& other) noexcept : txn_(other.txn_) {
  other.txn_ = nullptr;
}

transaction::~transaction() {
  if (txn_ != nullptr)
    mdb_txn_abort(txn_);
}

result<void> transaction::commit() {
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;
  if (rc != 0)
    return lmdb_failure(rc, "mdb_txn_commit");
  return {};
}

result<std::optional<std::string_view>>
transaction::get(MDB_dbi dbi, std::string_view key) const {
  MDB_val k = as_val(key);
  MDB_val v;
  int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::optional<std::string_view>{};
  if (rc != 0)
    return lmdb_failure(rc, "mdb_get");
  return std::optional<std::string_view>{as_view(v)};
}

result<void> transaction::put(MDB_dbi dbi, std::string_view key,
                              std::string_view value) {
  MDB_val k = as_val(key);
  MDB_val v = as_val(value);
  int rc = mdb_put(txn_, dbi, &k, &v, 0);
  if (rc != 0)
    return lmdb_failure(rc, "mdb_put");
  return {};
}

result<void> transaction::del(MDB_dbi dbi, std::string_view key) {
  MDB_val k = as_val(key);
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND)
    return lmdb_failure(rc, "mdb_del");
  return {};
}

result<cursor> cursor::open(const transaction& txn, MDB_dbi dbi) {
  MDB_cursor* c = nullptr;
  int rc = mdb_cursor_open(txn.get(), dbi, &c);
  if (rc != 0)
    return lmdb_failure(rc, "mdb_cursor_open");
  return cursor{c};
}

cursor::cursor(cursor&& other) noexcept : cursor_(other.cursor_) {
  other.cursor_ = nullptr;
}

cursor::~cursor() {
  if (cursor_ != nullptr)
    mdb_cursor_close(cursor_);
}

result<bool> cursor::move(MDB_cursor_op op, MDB_val& key, MDB_val& value) {
  int rc = mdb_cursor_get(cursor_, &key, &value, op);
  if (rc == MDB_NOTFOUND)
    return false;
  if (rc != 0)
    return lmdb_failure(rc, "mdb_cursor_get");
  return true;
}

result<void> cursor::del() {
  int rc = mdb_cursor_del(cursor_, 0);
  if (rc != 0)
    return lmdb_failure(rc, "mdb_cursor_del");
  return {};
}

} // namespace jobsync::storage
