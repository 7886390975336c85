#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <mutex>

namespace jobsync::http {

/// A connection's socket descriptor as the streams that write it directly
/// see it (http/direct_writers.hpp). The socket detaches it before the
/// descriptor is closed, under the same lock every use takes: the number
/// of a closed descriptor can be handed to the next connection at once,
/// and a stream that wrote to it would write into a stranger's response.
class direct_line {
public:
  explicit direct_line(int fd) : fd_(fd) {}

  direct_line(const direct_line&) = delete;
  direct_line& operator=(const direct_line&) = delete;

  /// sendmsg without blocking and without SIGPIPE: the bytes sent, or
  /// -errno (-EBADF once detached, -EAGAIN when the socket is full).
  ssize_t send(const iovec* parts, int count);

  /// Asks `epoll_fd` for one readiness report (EPOLLOUT, or an error or
  /// hang-up) of this socket, with `token` as its data; false once
  /// detached.
  bool watch_writable(int epoll_fd, uint64_t token);

  /// Removes the socket from `epoll_fd`'s interest list, if it is there
  /// and still open.
  void unwatch(int epoll_fd);

  /// Shuts the socket down both ways (its connection then fails its read
  /// and closes); nothing once detached.
  void shut_down();

  /// Whether the socket still holds its descriptor.
  bool attached();

  /// Every later use finds the line closed. The socket calls it before it
  /// closes the descriptor.
  void detach();

private:
  std::mutex mtx_;
  int fd_;
  // The epoll sets this socket was added to (at most one: a stream's
  // writer), so a later watch modifies instead of adding.
  int watched_by_ = -1;
};

/// The line of the connection whose bytes this thread is handling now: the
/// socket sets it around each read completion, which is where RESTinio
/// parses a request and calls its handler. Empty elsewhere.
const std::shared_ptr<direct_line>& current_line() noexcept;

/// Makes `line` the current line while it lives.
class current_line_scope {
public:
  explicit current_line_scope(
      const std::shared_ptr<direct_line>& line) noexcept;
  ~current_line_scope();

  current_line_scope(const current_line_scope&) = delete;
  current_line_scope& operator=(const current_line_scope&) = delete;

private:
  const std::shared_ptr<direct_line>* previous_;
};

} // namespace jobsync::http
