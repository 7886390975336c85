#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// One event kept for resumes: its id, what subscription filters look at,
/// and its formatted frame (shared with the subscribers it was sent to).
struct retained_event {
  uint64_t id = 0;
  std::string job_id;
  std::optional<std::string> provider;
  std::shared_ptr<const std::string> frame;
};

/// How a resuming subscriber catches up: either a resync (its id cannot be
/// served exactly), or the retained events from index `first` to the end of
/// the ring, oldest first (none when it is up to date).
struct resume_plan {
  bool resync = false;
  size_t first = 0;
};

/// The last N events, for `Last-Event-ID` resumes. Ids only grow. The ring
/// serves a resume after id X exactly when floor() <= X <= newest(): every
/// event after X is then still here (X = newest() means nothing was
/// missed). The ring starts empty at the id the store had committed before
/// this process started, so a client that saw that id resumes without a
/// resync after a restart.
class replay_ring {
public:
  /// An empty ring after `last_id`, keeping at most `capacity` (>= 1)
  /// events.
  replay_ring(size_t capacity, uint64_t last_id);

  /// Appends an event, forgetting the oldest beyond the capacity. An id
  /// that is not above newest() is refused (false) and nothing changes.
  bool push(retained_event e);

  /// The newest id known: the last pushed, or the start id.
  uint64_t newest() const {
    return newest_;
  }

  /// The smallest id a resume can start after: the id just before the
  /// oldest retained event (the start id while nothing was forgotten).
  uint64_t floor() const {
    return floor_;
  }

  size_t size() const {
    return events_.size();
  }

  size_t capacity() const {
    return capacity_;
  }

  /// The i-th retained event, oldest first.
  const retained_event& at(size_t i) const {
    return events_[i];
  }

  /// What a client whose Last-Event-ID is `last_event_id` gets. Anything
  /// the ring cannot place is a resync: not an id this server writes, older
  /// than floor(), or newer than newest() (a store restored from a backup,
  /// another server's id).
  resume_plan plan(std::string_view last_event_id) const;

private:
  size_t capacity_;
  uint64_t floor_;
  uint64_t newest_;
  std::deque<retained_event> events_;
};

} // namespace jobsync
