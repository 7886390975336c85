#include "http/direct_line.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>

namespace jobsync::http {

ssize_t direct_line::send(const iovec* parts, int count) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (fd_ < 0)
    return -EBADF;
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(parts);
  message.msg_iovlen = static_cast<size_t>(count);
  for (;;) {
    auto sent = ::sendmsg(fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0)
      return sent;
    if (errno != EINTR)
      return -errno;
  }
}

bool direct_line::watch_writable(int epoll_fd, uint64_t token) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (fd_ < 0)
    return false;
  epoll_event e{};
  e.events = EPOLLOUT | EPOLLONESHOT;
  e.data.u64 = token;
  auto op = watched_by_ == epoll_fd ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_fd, op, fd_, &e) != 0)
    return false;
  watched_by_ = epoll_fd;
  return true;
}

void direct_line::unwatch(int epoll_fd) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (fd_ < 0 || watched_by_ != epoll_fd)
    return;
  ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd_, nullptr);
  watched_by_ = -1;
}

void direct_line::shut_down() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (fd_ >= 0)
    ::shutdown(fd_, SHUT_RDWR);
}

bool direct_line::attached() {
  std::lock_guard<std::mutex> guard{mtx_};
  return fd_ >= 0;
}

void direct_line::detach() {
  std::lock_guard<std::mutex> guard{mtx_};
  // A closed descriptor leaves every epoll set by itself.
  fd_ = -1;
  watched_by_ = -1;
}

namespace {

thread_local const std::shared_ptr<direct_line>* current = nullptr;

} // namespace

const std::shared_ptr<direct_line>& current_line() noexcept {
  static const std::shared_ptr<direct_line> none;
  return current ? *current : none;
}

current_line_scope::current_line_scope(
    const std::shared_ptr<direct_line>& line) noexcept
    : previous_(current) {
  current = &line;
}

current_line_scope::~current_line_scope() {
  current = previous_;
}

} // namespace jobsync::http
