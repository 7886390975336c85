// The reference rate of bench/webhooks.sh: writes per second when every
// write is its own transaction and commit (one fsync each), as a server
// without group commit would store webhook deliveries. Each write has the
// shape of one delivery: the job, its webhook id and the event counter.
// The store is an LMDB data folder or a PostgreSQL database (a
// postgresql:// URL). With a third argument, that many writes share each
// commit: the store's own ceiling for deliveries that arrive in groups of
// that size (group commit at its best, nothing else on the way).
// With a fourth argument N, the writes are those jobsyncd stores for
// bench/webhook_load.cpp at N connections instead of new jobs with
// consecutive ids: N predictions in flight, each written three times
// (created; running, with its log tail; completed) with a webhook id per
// write, interleaved as N connections send them. With `ordered` after N,
// the predictions' ids (and so their webhook ids) sort in the order the
// predictions start, as if the store were keyed by arrival: what the same
// writes cost when each commit's changes sit together in every table.
//   jobsync-bench-commit-per-write <data-dir | postgresql://...> <seconds>
//                                  [writes per commit, default 1]
//                                  [predictions in flight [ordered]]
// Prints one line: `<writes> writes in <seconds> s: <rate> writes/s`, and
// on LMDB `, <k> KiB written per write` (what the commits handed to
// pwrite and writev: `wchar` in /proc/self/io).

#include "bench/store_arg.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

using namespace jobsync;

namespace {

// A prediction `id` as its first delivery stores it.
job delivered_job(const std::string& id, const std::string& created_at) {
  job x;
  x.job_id = id;
  x.external_id = id;
  x.provider = "replicate";
  x.provider_status = "starting";
  x.status = job_status::queued;
  x.created_at = created_at;
  x.metadata = {{"model", "\"simpletuner/advanced-trainer-l40s\""}};
  return x;
}

// The load's predictions: `in_flight` of them at a time, write i going to
// prediction stream i % in_flight, which moves through the three steps of
// webhook_load.cpp's bodies and then starts its next prediction. Its ids
// are the load's ("wh-<stream>-<n>": each stream's sort apart from the
// others', so a commit's jobs lie all over the tables) or, `ordered`, a
// counter of started predictions.
class load_shape {
public:
  load_shape(long in_flight, bool ordered)
      : ordered_(ordered), sent_(static_cast<size_t>(in_flight)),
        ids_(sent_.size()), created_(sent_.size()) {}

  // Stores write `i` as the registry would: the job as it now is, its log
  // tail once the prediction runs, the delivery's webhook id.
  result<void> write(storage::write_view& txn, long i, job_changed& event) {
    auto stream = static_cast<size_t>(i) % sent_.size();
    long sent = sent_[stream]++;
    int step = static_cast<int>(sent % 3);
    if (step == 0) {
      ids_[stream] = ordered_ ? ordered_id(started_++)
                              : "wh-" + std::to_string(stream) + "-"
                                    + std::to_string(sent / 3);
      created_[stream] = format_rfc3339(now_ms());
    }
    const auto& id = ids_[stream];
    auto x = delivered_job(id, created_[stream]);
    static const job_status statuses[]
        = {job_status::queued, job_status::running, job_status::completed};
    static const char* provider_statuses[]
        = {"starting", "processing", "succeeded"};
    x.status = statuses[step];
    x.provider_status = provider_statuses[step];
    if (step >= 1)
      x.started_at = created_[stream];
    if (step == 2)
      x.completed_at = format_rfc3339(now_ms());
    if (auto r = txn.put(x); !r)
      return r;
    if (step >= 1) {
      job_logs logs;
      logs.tail = "loading data\nStep 100/1000 - loss: 0.5\n";
      logs.total_bytes = logs.tail.size();
      logs.updated_at = now_ms();
      if (auto r = txn.put_logs(id, logs); !r)
        return r;
    }
    auto claimed = txn.claim_webhook(
        id, "msg_" + id + "_" + std::to_string(step), now_ms());
    if (!claimed)
      return claimed.error();
    event.job_id = id;
    return {};
  }

private:
  // Zero-padded, so that text order is start order.
  static std::string ordered_id(long n) {
    auto digits = std::to_string(n);
    return "wh-" + std::string(12 - std::min<size_t>(12, digits.size()), '0')
           + digits;
  }

  bool ordered_;
  long started_ = 0;
  std::vector<long> sent_;
  std::vector<std::string> ids_;
  std::vector<std::string> created_;
};

// Bytes this process has written to files so far (`wchar`); -1 when the
// kernel does not say.
long long bytes_written() {
  std::ifstream io{"/proc/self/io"};
  std::string name;
  long long value;
  while (io >> name >> value)
    if (name == "wchar:")
      return value;
  return -1;
}

// Stops with the store's message; returns the exit code.
int fail(const failure& f) {
  std::fprintf(stderr, "%s\n", f.detail.c_str());
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  const bool ordered = argc == 6 && std::string{argv[5]} == "ordered";
  if (argc < 3 || argc > 6 || (argc == 6 && !ordered)) {
    std::fprintf(stderr,
                 "usage: %s <data-dir | postgresql://...> <seconds> "
                 "[writes per commit] [predictions in flight [ordered]]\n",
                 argv[0]);
    return 2;
  }
  const double seconds = std::atof(argv[2]);
  const long per_commit = argc >= 4 ? std::atol(argv[3]) : 1;
  const long in_flight = argc >= 5 ? std::atol(argv[4]) : 0;
  if (per_commit < 1 || (argc >= 5 && in_flight < 1)) {
    std::fprintf(stderr, "writes per commit and predictions in flight must "
                         "be at least 1\n");
    return 2;
  }
  std::optional<load_shape> shape;
  if (in_flight > 0)
    shape.emplace(in_flight, ordered);
  auto where = bench::store_arg(argv[1], size_t{1} << 30);
  auto store = storage::job_store::open(where);
  if (!store)
    return fail(store.error());
  using steady = std::chrono::steady_clock;
  const auto written_before = bytes_written();
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
      if (shape) {
        if (auto r = shape->write(txn, writes++, event); !r)
          return fail(r.error());
        continue;
      }
      auto x = delivered_job("commit-" + std::to_string(writes++),
                             format_rfc3339(now_ms()));
      if (auto r = txn.put(x); !r)
        return fail(r.error());
      if (auto r = txn.claim_webhook(x.job_id, "msg_" + x.job_id, now_ms()); !r)
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
  const auto written = bytes_written() - written_before;
  std::printf("%ld writes in %.2f s: %.1f writes/s", writes, elapsed,
              writes / elapsed);
  if (where.backend == storage::backend::lmdb && written_before >= 0)
    std::printf(", %.1f KiB written per write",
                static_cast<double>(written) / 1024
                    / static_cast<double>(writes));
  std::printf("\n");
  return 0;
}
