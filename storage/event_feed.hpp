#pragma once

#include "model/payloads.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace jobsync::storage {

/// What a feed reports, on its own thread: the callbacks must be cheap and
/// must not block (they hand the events to an actor).
struct event_handlers {
  /// Committed events, in id order and without gaps.
  std::function<void(std::vector<job_changed>)> on_events;
  /// The events after the last one delivered, up to and including this id,
  /// were pruned before the feed could read them (it was disconnected for
  /// long): subscribers must resynchronise.
  std::function<void(uint64_t)> on_gap;
};

/// Follows the events a shared store commits, whoever wrote them, on a
/// thread of its own. Destroying the feed stops the thread.
class event_feed {
public:
  virtual ~event_feed() = default;
};

} // namespace jobsync::storage
