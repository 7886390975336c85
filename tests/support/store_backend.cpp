#include "tests/support/store_backend.hpp"

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
