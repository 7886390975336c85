// The reference rate of bench/webhooks.sh: writes per second when every
// write is its own transaction and commit (one fsync each), as a server
// without group commit would store webhook deliveries. Each write has the
// shape of one delivery: the job, its webhook id and the event counter.
// The store is an LMDB data folder or a PostgreSQL database (a
// postgresql:// URL). With a third argument, that many writes share each
// commit: the store's own ceiling for deliveries that arrive in groups of
// that size (group commit at its best, nothing else on the way).
//   jobsync-bench-commit-per-write <data-dir | postgresql://...> <seconds>
//                                  [writes per commit, default 1]
// Prints one line: `<writes> writes in <seconds> s: <rate> writes/s`.

#include "bench/store_arg.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace jobsync;

namespace {

job delivered_job(long i) {
  job x;
  x.job_id = "commit-" + std::to_string(i);
  x.external_id = x.job_id;
  x.provider = "replicate";
  x.provider_status = "starting";
  x.status = job_status::queued;
  x.created_at = format_rfc3339(now_ms());
  x.metadata = {{"model", "\"simpletuner/advanced-trainer-l40s\""}};
  return x;
}

// Stops with the store's message; returns the exit code.
int fail(const failure& f) {
  std::fprintf(stderr, "%s\n", f.detail.c_str());
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::fprintf(stderr,
                 "usage: %s <data-dir | postgresql://...> <seconds> "
                 "[writes per commit]\n",
                 argv[0]);
    return 2;
  }
  const double seconds = std::atof(argv[2]);
  const long per_commit = argc == 4 ? std::atol(argv[3]) : 1;
  if (per_commit < 1) {
    std::fprintf(stderr, "writes per commit must be at least 1\n");
    return 2;
  }
  auto store
      = storage::job_store::open(bench::store_arg(argv[1], size_t{1} << 30));
  if (!store)
    return fail(store.error());
  using steady = std::chrono::steady_clock;
  const auto start = steady::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  long writes = 0;
  while (steady::now() < until) {
    auto w = (*store)->begin_write();
    if (!w)
      return fail(w.error());
    auto& txn = **w;
    std::vector<job_changed> events(static_cast<size_t>(per_commit));
    for (auto& event : events) {
      auto x = delivered_job(writes++);
      if (auto r = txn.put(x); !r)
        return fail(r.error());
      if (auto r = txn.claim_webhook("msg_" + x.job_id, now_ms()); !r)
        return fail(r.error());
      event.job_id = x.job_id;
    }
    if (auto r = txn.number_events(events); !r)
      return fail(r.error());
    if (auto r = txn.commit(); !r)
      return fail(r.error());
  }
  const double elapsed
      = std::chrono::duration<double>(steady::now() - start).count();
  std::printf("%ld writes in %.2f s: %.1f writes/s\n", writes, elapsed,
              writes / elapsed);
  return 0;
}
