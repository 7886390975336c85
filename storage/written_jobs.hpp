#pragma once

#include "model/job.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace jobsync::storage {

/// The jobs an LMDB store's writer stored or read last, each with the bytes
/// of its stored value. The registry reads every job a delivery changes,
/// and a job's next delivery reads back exactly the bytes the last one
/// wrote: found here, they need no JSON parse (7% of a delivery's
/// instructions, net of remembering each put). Matched by the bytes, so a put
/// that was rolled back, a confirmation that restamped the value, or any other
/// change since is decoded as before. At most `capacity` jobs and about
/// `max_bytes` of stored values (a job's value counted twice: the bytes and the
/// job); full, it starts over. Only write transactions use it, and LMDB runs
/// one at a time, so it takes no lock of its own.
class written_jobs {
public:
  explicit written_jobs(size_t capacity = 1024, size_t max_bytes = 8 << 20)
      : capacity_(capacity), max_bytes_(max_bytes) {}

  /// The job stored as `bytes` under `job_id`, when it is known.
  const job* find(std::string_view job_id, std::string_view bytes) const;

  /// Notes that `x` is stored as `bytes`; replaces what was known of it.
  void remember(const job& x, std::string bytes);

  void forget(std::string_view job_id);

  size_t size() const {
    return entries_.size();
  }

private:
  struct entry {
    std::string bytes;
    job value;
  };

  size_t capacity_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<std::string, entry, std::less<>> entries_;
};

} // namespace jobsync::storage
