#pragma once

#include "model/json.hpp"
#include "storage/job_store.hpp"
#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// A job for seeding a store.
inline job seed_job(const std::string& id, job_status status,
                    unix_ms created,
                    std::optional<std::string> provider = "replicate") {
  job x;
  x.job_id = id;
  x.external_id = provider ? id : "";
  x.provider = provider;
  x.type = provider ? job_type::cloud : job_type::local;
  x.status = status;
  x.created_at = format_rfc3339(created);
  return x;
}

/// Writes jobs into a data folder before the server opens it.
inline void seed_store(const std::string& dir, const std::vector<job>& jobs) {
  auto store = storage::job_store::open({dir, size_t{512} << 20});
  if (!store)
    BOOST_FAIL(store.error().detail);
  auto w = (*store)->begin_write();
  for (const auto& x : jobs)
    if (auto put = w->put(x); !put)
      BOOST_FAIL(put.error().detail);
  if (auto done = w->commit(); !done)
    BOOST_FAIL(done.error().detail);
}

} // namespace jobsync::test
