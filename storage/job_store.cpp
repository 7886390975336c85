#include "storage/job_store.hpp"

#include "storage/lmdb_store.hpp"
#include "storage/pg_store.hpp"

namespace jobsync::storage {

result<uint64_t> read_view::count(const job_filter& filter) const {
  auto tallies = counters();
  if (!tallies)
    return tallies.error();
  uint64_t total = 0;
  for (const auto& t : *tallies)
    if (filter.matches(t.status, t.type, t.provider))
      total += t.count;
  return total;
}

result<std::unique_ptr<job_store>> job_store::open(const store_options& opts) {
  switch (opts.backend) {
  case backend::lmdb: {
    auto store = lmdb_store::open(opts);
    if (!store)
      return store.error();
    return std::unique_ptr<job_store>{std::move(*store)};
  }
  case backend::postgres: {
    auto store = pg_store::open(opts.postgres);
    if (!store)
      return store.error();
    return std::unique_ptr<job_store>{std::move(*store)};
  }
  }
  return failure{errc::internal, "unknown storage backend"};
}

} // namespace jobsync::storage
