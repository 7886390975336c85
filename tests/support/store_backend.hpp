#pragma once

// Which store the storage and actor tests run against. The same test
// executables run twice under CTest: on LMDB, and with
// TEST_STORE_BACKEND=postgres against a throwaway PostgreSQL server.

#include "storage/job_store.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace jobsync::test {

/// TEST_STORE_BACKEND: "postgres", else LMDB.
storage::backend test_backend();

/// Options of a new, empty store of the test backend: an LMDB folder at
/// `dir`, or a fresh database on the shared throwaway server.
storage::store_options fresh_store_options(const std::string& dir);

/// Replaces a stored job's value with these bytes, in `jobs` on LMDB,
/// where an older jobsync kept every job (an LMDB store must be closed
/// meanwhile).
void overwrite_stored_job(const storage::store_options& options,
                          const std::string& job_id, const std::string& bytes);

/// Exit code that CTest reports as "skipped" (SKIP_RETURN_CODE).
inline constexpr int skipped_exit_code = 77;

/// The global fixture of test executables that run on either backend:
/// with postgres selected but PostgreSQL not installed, says so and exits
/// as skipped; at the end, stops the shared server.
struct backend_setup {
  backend_setup();
  ~backend_setup();
};

/// A precondition for cases about LMDB alone (its map size).
struct lmdb_only {
  boost::test_tools::assertion_result
  operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r{test_backend()
                                          == storage::backend::lmdb};
    r.message() << "this case is about LMDB";
    return r;
  }
};

/// A precondition for cases about PostgreSQL alone.
struct postgres_only {
  boost::test_tools::assertion_result
  operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r{test_backend()
                                          == storage::backend::postgres};
    r.message() << "this case is about PostgreSQL";
    return r;
  }
};

} // namespace jobsync::test
