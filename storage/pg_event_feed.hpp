#pragma once

#include "storage/event_feed.hpp"
#include "storage/pg.hpp"

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace jobsync::storage {

/// Follows the events table of a shared database on a thread of its own,
/// with a connection of its own that LISTENs on the event channel. The
/// thread sleeps in poll(2) on that connection's socket and a wake-up
/// descriptor: a NOTIFY (sent by every committing writer, this replica's
/// included) wakes it to read the events after the last one it delivered,
/// in id order. It reconnects with back-off when the connection drops and
/// then catches up the same way, so nothing committed meanwhile is missed
/// unless it was pruned (on_gap). It also catches up every few seconds
/// without a notification, which bounds the delay should one ever be lost.
class pg_event_feed final : public event_feed {
public:
  pg_event_feed(pg::settings s, uint64_t after, event_handlers handlers);

  /// Wakes the thread and joins it.
  ~pg_event_feed() override;

private:
  void loop();

  // Connects and LISTENs; false when that failed.
  bool connect();

  // Delivers every event after last_; false when the connection broke.
  bool catch_up();

  // Waits for the socket (or, without a connection, only for the wake-up)
  // at most `timeout`; false when the feed is stopping.
  bool wait(std::chrono::milliseconds timeout);

  pg::settings settings_;
  uint64_t last_;
  event_handlers handlers_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::optional<pg::connection> conn_;
  std::thread thread_;
};

} // namespace jobsync::storage
