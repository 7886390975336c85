#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::test {

/// The service manager's end of sd_notify(3): a Unix datagram socket that
/// collects what a process sends to `NOTIFY_SOCKET`.
class notify_socket {
public:
  /// Binds a socket at `path` (which must not exist).
  explicit notify_socket(std::string path);
  ~notify_socket();

  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  /// The path to give the process as NOTIFY_SOCKET.
  const std::string& path() const {
    return path_;
  }

  /// The next datagram, or nullopt when none arrives in time.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);

  /// Receives until a datagram contains `needle` (each assignment on its
  /// own line, as sent); returns it, or nullopt. Everything received,
  /// matching or not, is kept in `received`.
  std::optional<std::string> wait_for(const std::string& needle,
                                      std::chrono::milliseconds timeout);

  /// Every datagram received so far, in order.
  std::vector<std::string> received;

private:
  std::string path_;
  int fd_ = -1;
};

} // namespace jobsync::test
