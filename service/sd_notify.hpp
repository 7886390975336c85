#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::service {

/// systemd's notification protocol (sd_notify(3)) without libsystemd: one
/// datagram per message to the socket named by `NOTIFY_SOCKET`. When the
/// variable is unset (not started by systemd with `Type=notify`) every
/// call does nothing.
class notifier {
public:
  /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from the
  /// environment given as a lookup function (the process environment in
  /// jobsyncd, a map in tests).
  template <class Lookup>
  static notifier from_environment(Lookup&& get) {
    return notifier{get("NOTIFY_SOCKET"), get("WATCHDOG_USEC"),
                    get("WATCHDOG_PID")};
  }

  notifier() = default;

  /// Whether a socket was named (jobsyncd runs under systemd).
  bool enabled() const {
    return !socket_path_.empty();
  }

  /// The socket's path; a leading `@` names an abstract socket.
  const std::string& socket_path() const {
    return socket_path_;
  }

  /// How often systemd expects `WATCHDOG=1`; nullopt when the watchdog is
  /// off or meant for another process.
  std::optional<std::chrono::microseconds> watchdog_timeout() const {
    return watchdog_;
  }

  /// Sends newline-separated assignments such as "READY=1\nSTATUS=...".
  /// Returns false when the datagram could not be sent (logged by the
  /// caller if it cares; systemd treats a lost notification as none).
  bool send(std::string_view state) const;

private:
  notifier(std::optional<std::string> socket,
           std::optional<std::string> watchdog_usec,
           std::optional<std::string> watchdog_pid);

  std::string socket_path_;
  std::optional<std::chrono::microseconds> watchdog_;
};

} // namespace jobsync::service
