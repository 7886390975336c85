#include "tests/support/store_backend.hpp"

#include "storage/lmdb.hpp"
#include "tests/support/postgres_server.hpp"

#include <cstdlib>
#include <iostream>

namespace jobsync::test {

storage::backend test_backend() {
  const char* name = std::getenv("TEST_STORE_BACKEND");
  return name != nullptr && std::string{name} == "postgres"
             ? storage::backend::postgres
             : storage::backend::lmdb;
}

storage::store_options fresh_store_options(const std::string& dir) {
  storage::store_options o;
  o.backend = test_backend();
  o.path = dir;
  o.map_size_bytes = size_t{64} << 20;
  if (o.backend == storage::backend::postgres) {
    auto& server = shared_postgres();
    o.postgres.url = server.url(server.create_database());
    o.postgres.pool_size = 2;
  }
  return o;
}

void overwrite_stored_job(const storage::store_options& options,
                          const std::string& job_id, const std::string& bytes) {
  if (options.backend == storage::backend::postgres) {
    std::string hex;
    for (unsigned char c : bytes) {
      const char* digits = "0123456789abcdef";
      hex += digits[c >> 4];
      hex += digits[c & 15];
    }
    shared_postgres().query(
        postgres_server::database_of(options.postgres.url),
        "UPDATE jobsync_jobs SET synced_ms = NULL, value = decode('" + hex
            + "', 'hex') WHERE job_id = '" + job_id + "'");
    return;
  }
  auto env
      = storage::environment::open(options.path, options.map_size_bytes, 16);
  BOOST_REQUIRE(env);
  auto txn = storage::transaction::begin(*env, false);
  BOOST_REQUIRE(txn);
  auto table = [&](const char* name) {
    MDB_dbi dbi = 0;
    BOOST_REQUIRE(mdb_dbi_open(txn->get(), name, 0, &dbi) == 0);
    return dbi;
  };
  BOOST_REQUIRE(txn->del(table("live"), job_id));
  BOOST_REQUIRE(txn->put(table("jobs"), job_id, bytes));
  BOOST_REQUIRE(txn->commit());
}

backend_setup::backend_setup() {
  if (test_backend() == storage::backend::postgres && !postgres_bin_dir()) {
    std::cout << "SKIPPED: TEST_STORE_BACKEND=postgres, but PostgreSQL's "
                 "initdb and pg_ctl are not installed under "
                 "/usr/lib/postgresql/<version>/bin (scripts/setup.sh "
                 "installs them)"
              << std::endl;
    std::exit(skipped_exit_code);
  }
}

backend_setup::~backend_setup() {
  stop_shared_postgres();
}

} // namespace jobsync::test
