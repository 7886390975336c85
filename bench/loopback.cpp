#include "bench/loopback.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <strings.h>

namespace jobsync::bench {

int64_t now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

uint64_t raise_file_limit(uint64_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 0;
  if (lim.rlim_cur < wanted) {
    lim.rlim_cur = std::min<rlim_t>(wanted, lim.rlim_max);
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  return lim.rlim_cur;
}

namespace {

bool to_address(const std::string& host, uint16_t port, sockaddr_in& out) {
  out = sockaddr_in{};
  out.sin_family = AF_INET;
  out.sin_port = htons(port);
  return inet_pton(AF_INET, host.c_str(), &out.sin_addr) == 1;
}

} // namespace

int connect_nonblocking(const std::string& host, uint16_t port,
                        const std::string& source) {
  sockaddr_in to{};
  if (!to_address(host, port, to)) {
    errno = EINVAL;
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  // Requests and frames are small: send them at once, not after Nagle's
  // delay, or the delay would be measured instead of the server.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (!source.empty()) {
    sockaddr_in from{};
    if (!to_address(source, 0, from)
        || bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
      int e = errno;
      close(fd);
      errno = e;
      return -1;
    }
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0
      && errno != EINPROGRESS) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, 1000);
    } else {
      return false;
    }
  }
  return true;
}

double percentile(std::vector<double>& values, double q) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(q * values.size()));
  return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::optional<response_head> parse_response_head(std::string_view buffer) {
  auto end = buffer.find("\r\n\r\n");
  if (end == std::string_view::npos)
    return std::nullopt;
  response_head head;
  head.head_bytes = end + 4;
  auto space = buffer.find(' ');
  if (space != std::string_view::npos && space < end)
    head.status = std::atoi(std::string{buffer.substr(space + 1, 3)}.c_str());
  // Header names are case-insensitive; RESTinio and nginx spell this one
  // differently.
  constexpr std::string_view name = "\r\ncontent-length:";
  for (size_t at = buffer.find("\r\n"); at < end;
       at = buffer.find("\r\n", at + 2)) {
    if (buffer.size() - at >= name.size()
        && strncasecmp(buffer.data() + at, name.data(), name.size()) == 0) {
      head.content_length = static_cast<size_t>(
          std::strtoul(buffer.data() + at + name.size(), nullptr, 10));
      break;
    }
  }
  return head;
}

} // namespace jobsync::bench
