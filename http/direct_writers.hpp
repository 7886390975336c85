#pragma once

#include "http/direct_body.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace jobsync::http {

/// Threads that write event streams' bodies straight to their sockets.
///
/// RESTinio writes a response from the connection's strand: a fan-out to
/// 10,000 streams was 10,000 handlers dispatched onto 10,000 strands, each
/// with its write group, buffer vector and completion (a fifth of the
/// server's CPU per event, more than nginx+nchan spent on everything but
/// the socket calls). Here a write is a queue entry; each thread sends its
/// streams' chunks with one sendmsg each and waits, in its own epoll set,
/// for the sockets that are full. Each body belongs to one thread, so its
/// chunks keep their order.
class direct_writers {
public:
  /// `finish_limit`: how long a finished body's unsent bytes may wait for
  /// a reader that does not read; then its connection is shut down. Every
  /// `keep_open_period` each body opened and not finished is told to keep
  /// its response open (direct_body::keep_open).
  direct_writers(size_t threads, std::chrono::milliseconds finish_limit,
                 std::chrono::milliseconds keep_open_period);
  ~direct_writers();

  direct_writers(const direct_writers&) = delete;
  direct_writers& operator=(const direct_writers&) = delete;

  /// A body for this line, given to one of the threads.
  std::shared_ptr<direct_body> open(std::shared_ptr<direct_line> line,
                                    write_tally* tally,
                                    std::function<void()> keep_open);

  /// Queues `bytes` (already counted in the body's tally) for the body.
  void write(const std::shared_ptr<direct_body>& body,
             std::shared_ptr<const std::string> bytes);

  /// Runs `then` on the body's thread once everything queued before is
  /// sent, or failed, or given up after the finish limit.
  void finish(const std::shared_ptr<direct_body>& body,
              std::function<void()> then);

  /// Fails what is unsent, runs the waiting finishes and joins the
  /// threads; later writes fail and later finishes run at once. (The
  /// threads never own the writers: their queues hold bodies and the
  /// streams' callbacks, so the last owner never lets go on one of them,
  /// which would make it join itself.)
  void stop();

private:
  struct lane;
  lane& lane_of(const direct_body& body);

  std::vector<std::unique_ptr<lane>> lanes_;
  std::atomic<size_t> next_lane_{0};
};

} // namespace jobsync::http
