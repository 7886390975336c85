#include "tests/support/raw_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace jobsync::test {

const char* name_of(hang_up how) {
  switch (how) {
  case hang_up::fin:
    return "FIN";
  case hang_up::half_close:
    return "half-close";
  case hang_up::reset:
    return "reset";
  }
  return "?";
}

raw_connection::raw_connection(uint16_t port)
    : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (fd_ < 0)
    throw std::runtime_error(std::string{"socket: "} + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    auto why = std::string{"connect: "} + std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error(why);
  }
}

raw_connection::~raw_connection() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool raw_connection::send(const std::string& bytes) {
  if (fd_ < 0)
    return false;
  return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL)
         == static_cast<ssize_t>(bytes.size());
}

bool raw_connection::send_get(const std::string& target) {
  return send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
}

bool raw_connection::read_some(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || closed_)
    return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd p{fd_, POLLIN, 0};
  if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) != 1)
    return false;
  char buf[4096];
  auto n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) {
    closed_ = true;
    return false;
  }
  received_.append(buf, static_cast<size_t>(n));
  return true;
}

bool raw_connection::read_until(const std::string& needle,
                                std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (received_.find(needle) == std::string::npos)
    if (!read_some(deadline))
      return received_.find(needle) != std::string::npos;
  return true;
}

bool raw_connection::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_)
    if (!read_some(deadline) && !closed_)
      return false;
  return true;
}

int raw_connection::status() const {
  if (received_.compare(0, 9, "HTTP/1.1 ") != 0 || received_.size() < 12)
    return 0;
  return std::atoi(received_.substr(9, 3).c_str());
}

void raw_connection::end(hang_up how) {
  if (fd_ < 0)
    return;
  switch (how) {
  case hang_up::reset: {
    // Linger on with a zero timeout: close() sends RST instead of FIN.
    linger l{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    break;
  }
  case hang_up::half_close:
    // The server sees the end of input while it may still be writing; it
    // closes its side, which this reads before closing.
    ::shutdown(fd_, SHUT_WR);
    wait_closed();
    break;
  case hang_up::fin:
    break;
  }
  ::close(fd_);
  fd_ = -1;
}

} // namespace jobsync::test
