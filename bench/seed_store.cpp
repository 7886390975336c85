// Writes N jobs into a jobsync store, for benchmarks: a tenth are running,
// the rest finished, over the last 90 days. The store is an LMDB data
// folder, or a PostgreSQL database given by a postgresql:// URL.
//   jobsync-bench-seed <data-dir | postgresql://...> <count>

#include "bench/store_arg.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace jobsync;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s <data-dir | postgresql://...> <count>\n",
                 argv[0]);
    return 2;
  }
  const long count = std::atol(argv[2]);
  auto store
      = storage::job_store::open(bench::store_arg(argv[1], size_t{16} << 30));
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().detail.c_str());
    return 1;
  }
  const unix_ms now = now_ms();
  const unix_ms span = int64_t{90} * 86400000;
  constexpr long batch = 10000;
  for (long first = 0; first < count; first += batch) {
    auto w = (*store)->begin_write();
    if (!w)
      return std::fprintf(stderr, "%s\n", w.error().detail.c_str()), 1;
    for (long i = first; i < std::min(count, first + batch); ++i) {
      job x;
      x.job_id = "bench-" + std::to_string(i);
      x.external_id = x.job_id;
      x.provider = "replicate";
      x.status = i % 10 == 0  ? job_status::running
                 : i % 7 == 0 ? job_status::failed
                              : job_status::completed;
      unix_ms created = now - span + span * i / std::max(count, 1L);
      x.created_at = format_rfc3339(created);
      x.started_at = format_rfc3339(created + 5000);
      if (x.status != job_status::running) {
        x.completed_at = format_rfc3339(created + 1805000);
        x.cost_usd = 1800 * 0.000972222;
      }
      x.metadata = {{"model", "\"simpletuner/advanced-trainer-l40s\""}};
      if (auto put = (*w)->put(x); !put)
        return std::fprintf(stderr, "%s\n", put.error().detail.c_str()), 1;
    }
    if (auto done = (*w)->commit(); !done)
      return std::fprintf(stderr, "%s\n", done.error().detail.c_str()), 1;
  }
  std::printf("seeded %ld jobs into %s\n", count, argv[1]);
  return 0;
}
