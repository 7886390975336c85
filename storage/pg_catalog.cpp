#include "storage/pg_catalog.hpp"

namespace jobsync::storage::pg {

namespace {

std::optional<job_status> status_of(std::optional<int64_t> x) {
  if (!x || *x < 0 || *x > static_cast<int64_t>(job_status::cancelled))
    return std::nullopt;
  return static_cast<job_status>(*x);
}

} // namespace

std::optional<job_changed> event_of(const rows& r, int row) {
  auto id = r.integer(row, 0);
  auto status = status_of(r.integer(row, 4));
  if (!id || *id <= 0 || !status || r.is_null(row, 1))
    return std::nullopt;
  job_changed e;
  e.event_id = static_cast<uint64_t>(*id);
  e.job_id = std::string{r.bytes(row, 1)};
  e.provider = r.text(row, 2);
  if (!r.is_null(row, 3)) {
    e.previous = status_of(r.integer(row, 3));
    if (!e.previous)
      return std::nullopt;
  }
  e.status = *status;
  e.stage = r.text(row, 5);
  e.progress = r.float8(row, 6);
  return e;
}

} // namespace jobsync::storage::pg
