#pragma once

// A job store in a fresh folder, for the storage tests.

#include "storage/job_store.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/test_jobs.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <vector>

namespace jobsync::test {

struct store_fixture {
  temp_dir dir;
  std::unique_ptr<storage::job_store> store;

  store_fixture() {
    reopen();
  }

  void reopen(size_t map_bytes = size_t{64} << 20) {
    store.reset();
    auto opened = storage::job_store::open({dir.path(), map_bytes});
    if (!opened)
      BOOST_FAIL(opened.error().detail);
    store = std::move(*opened);
  }

  /// Stores the jobs in one transaction.
  void put(const std::vector<job>& jobs) {
    auto w = store->begin_write();
    BOOST_REQUIRE(w);
    for (const auto& x : jobs)
      BOOST_REQUIRE(w->put(x));
    BOOST_REQUIRE(w->commit());
  }

  storage::read_view read() {
    auto r = store->begin_read();
    BOOST_REQUIRE(r);
    return std::move(*r);
  }
};

} // namespace jobsync::test
