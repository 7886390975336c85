#pragma once

// A fresh job store of the backend under test (an LMDB folder, or a new
// database on the throwaway PostgreSQL server), for the storage tests.

#include "storage/job_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/store_backend.hpp"
#include "tests/support/test_jobs.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

namespace jobsync::test {

struct store_fixture {
  temp_dir dir;
  storage::store_options options = fresh_store_options(dir.path());
  std::unique_ptr<storage::job_store> store;

  store_fixture() {
    reopen();
  }

  /// Closes the store and opens the same one again (a restart).
  void reopen() {
    store.reset();
    auto opened = storage::job_store::open(options);
    if (!opened)
      BOOST_FAIL(opened.error().detail);
    store = std::move(*opened);
  }

  /// Stores the jobs in one transaction.
  void put(const std::vector<job>& jobs) {
    auto w = write();
    for (const auto& x : jobs)
      BOOST_REQUIRE(w->put(x));
    BOOST_REQUIRE(w->commit());
  }

  std::unique_ptr<storage::read_view> read() {
    auto r = store->begin_read();
    BOOST_REQUIRE(r);
    return std::move(*r);
  }

  std::unique_ptr<storage::write_view> write() {
    auto w = store->begin_write();
    BOOST_REQUIRE(w);
    return std::move(*w);
  }
};

} // namespace jobsync::test
