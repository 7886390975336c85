#pragma once

#include "model/json.hpp"
#include "storage/job_store.hpp"
#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"
#include "tests/support/raw_http.hpp"
#include "tests/support/test_jobs.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// Writes jobs into a data folder before the server opens it.
inline void seed_store(const std::string& dir, const std::vector<job>& jobs) {
  auto store
      = storage::job_store::open(storage::lmdb_options(dir, size_t{512} << 20));
  if (!store)
    BOOST_FAIL(store.error().detail);
  auto w = (*store)->begin_write();
  for (const auto& x : jobs)
    if (auto put = (*w)->put(x); !put)
      BOOST_FAIL(put.error().detail);
  if (auto done = (*w)->commit(); !done)
    BOOST_FAIL(done.error().detail);
}

} // namespace jobsync::test
