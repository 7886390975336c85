#include "service/sd_notify.hpp"

#include <charconv>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace jobsync::service {

namespace {

template <class T>
std::optional<T> parse_number(const std::optional<std::string>& text) {
  if (!text || text->empty())
    return std::nullopt;
  T value{};
  auto end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end)
    return std::nullopt;
  return value;
}

} // namespace

notifier::notifier(std::optional<std::string> socket,
                   std::optional<std::string> watchdog_usec,
                   std::optional<std::string> watchdog_pid) {
  // Only absolute paths and abstract names are valid notification sockets.
  if (socket && !socket->empty() && ((*socket)[0] == '/' || (*socket)[0] == '@')
      && socket->size() < sizeof(sockaddr_un::sun_path))
    socket_path_ = *socket;
  auto usec = parse_number<uint64_t>(watchdog_usec);
  // WATCHDOG_PID names the process the watchdog is meant for; a child that
  // inherited the variables must not ping on its parent's behalf.
  auto pid = parse_number<long>(watchdog_pid);
  if (usec && *usec > 0 && (!pid || *pid == static_cast<long>(getpid())))
    watchdog_ = std::chrono::microseconds{*usec};
}

bool notifier::send(std::string_view state) const {
  if (!enabled())
    return false;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
  if (addr.sun_path[0] == '@')
    addr.sun_path[0] = '\0';
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path)
                                    + socket_path_.size());
  auto sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  ::close(fd);
  return sent == static_cast<ssize_t>(state.size());
}

} // namespace jobsync::service
