#include "storage/written_jobs.hpp"

namespace jobsync::storage {

const job* written_jobs::find(std::string_view job_id,
                              std::string_view bytes) const {
  auto i = entries_.find(job_id);
  if (i == entries_.end() || i->second.bytes != bytes)
    return nullptr;
  return &i->second.value;
}

void written_jobs::remember(const job& x, std::string bytes) {
  forget(x.job_id);
  // A job with a long error or metadata is worth one parse more than the
  // memory it would hold.
  auto size = 2 * bytes.size();
  if (size > max_bytes_)
    return;
  // Starting over costs the next delivery of each job one parse; an
  // eviction order would cost every delivery its bookkeeping.
  if (entries_.size() >= capacity_ || bytes_ + size > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
  }
  bytes_ += size;
  entries_.emplace(x.job_id, entry{std::move(bytes), x});
}

void written_jobs::forget(std::string_view job_id) {
  auto i = entries_.find(job_id);
  if (i == entries_.end())
    return;
  bytes_ -= 2 * i->second.bytes.size();
  entries_.erase(i);
}

} // namespace jobsync::storage
