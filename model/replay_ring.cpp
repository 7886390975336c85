#include "model/replay_ring.hpp"

#include "model/event_frame.hpp"

#include <algorithm>

namespace jobsync {

replay_ring::replay_ring(size_t capacity, uint64_t last_id)
    : capacity_(std::max<size_t>(capacity, 1)), floor_(last_id),
      newest_(last_id) {}

bool replay_ring::push(retained_event e) {
  if (e.id <= newest_)
    return false;
  newest_ = e.id;
  events_.push_back(std::move(e));
  while (events_.size() > capacity_) {
    floor_ = events_.front().id;
    events_.pop_front();
  }
  return true;
}

resume_plan replay_ring::plan(std::string_view last_event_id) const {
  auto id = parse_event_id(last_event_id);
  if (!id || *id < floor_ || *id > newest_)
    return {true, events_.size()};
  auto first = std::upper_bound(
      events_.begin(), events_.end(), *id,
      [](uint64_t x, const retained_event& e) { return x < e.id; });
  return {false, static_cast<size_t>(first - events_.begin())};
}

} // namespace jobsync
