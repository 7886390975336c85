#include "tests/support/notify_socket.hpp"

#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace jobsync::test {

notify_socket::notify_socket(std::string path) : path_(std::move(path)) {
  sockaddr_un addr{};
  if (path_.size() >= sizeof(addr.sun_path))
    throw std::runtime_error("notify socket path too long: " + path_);
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::runtime_error("socket() failed");
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr))
      != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot bind " + path_ + ": "
                             + std::strerror(errno));
  }
}

notify_socket::~notify_socket() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::optional<std::string>
notify_socket::receive(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
    return std::nullopt;
  char buf[4096];
  auto n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n < 0)
    return std::nullopt;
  received.emplace_back(buf, static_cast<size_t>(n));
  return received.back();
}

std::optional<std::string>
notify_socket::wait_for(const std::string& needle,
                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    auto msg = receive(left);
    if (!msg)
      return std::nullopt;
    if (msg->find(needle) != std::string::npos)
      return msg;
  }
}

} // namespace jobsync::test
