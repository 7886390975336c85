#pragma once

#include <cstdint>

namespace jobsync {

/// What the registry's writes have cost since start (`/metrics`): the
/// transactions committed, the requests they carried (over the commits,
/// the mean group size), the time spent running, committing and answering
/// them, and of that the time in the store's commit (the durable write).
/// A busy time growing as fast as the clock means writes queue for the
/// registry.
struct writer_figures {
  uint64_t commits = 0;
  uint64_t requests = 0;
  double busy_seconds = 0;
  double commit_seconds = 0;
};

} // namespace jobsync
