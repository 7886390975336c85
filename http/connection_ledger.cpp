#include "http/connection_ledger.hpp"

namespace jobsync::http {

void connection_ledger::request_started(uint64_t connection_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  ++pending_[connection_id];
}

void connection_ledger::response_written(uint64_t connection_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = pending_.find(connection_id);
  if (i == pending_.end())
    return;
  if (--i->second == 0)
    pending_.erase(i);
}

void connection_ledger::connection_closed(uint64_t connection_id) {
  std::lock_guard<std::mutex> guard{mtx_};
  pending_.erase(connection_id);
}

bool connection_ledger::idle(uint64_t connection_id) const {
  std::lock_guard<std::mutex> guard{mtx_};
  return pending_.count(connection_id) == 0;
}

uint32_t connection_ledger::owed(uint64_t connection_id) const {
  std::lock_guard<std::mutex> guard{mtx_};
  auto i = pending_.find(connection_id);
  return i == pending_.end() ? 0 : i->second;
}

} // namespace jobsync::http
