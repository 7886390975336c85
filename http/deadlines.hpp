#pragma once

#include "http/exchange.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace jobsync::http {

/// Answers 504 to the HTTP requests whose actor has not answered within
/// the timeout. A CAF request with a timeout wakes CAF's clock thread
/// every time (8% of a list request's samples in bench/README.md's
/// profile);
/// here a request costs two uncontended lock operations, and one thread
/// looks for overdue requests a few times a second.
class deadline_keeper {
public:
  explicit deadline_keeper(std::chrono::milliseconds timeout);
  ~deadline_keeper();

  deadline_keeper(const deadline_keeper&) = delete;
  deadline_keeper& operator=(const deadline_keeper&) = delete;

  /// Starts the clock for an exchange; returns its ticket.
  uint64_t watch(exchange_ptr ex);

  /// The exchange was answered in time (or is about to be): forgets it.
  /// A ticket that was already answered with 504 is ignored.
  void release(uint64_t ticket);

  /// Exchanges waiting for their actor (for tests).
  size_t pending() const;

private:
  void run();

  struct entry {
    std::chrono::steady_clock::time_point due;
    exchange_ptr ex;
  };

  const std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // Tickets grow with time and every exchange gets the same timeout, so
  // the map's first entry is always the one due first.
  std::map<uint64_t, entry> pending_;
  uint64_t next_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace jobsync::http
