#pragma once

// One HTTP client connection on a raw loopback socket, for tests that decide
// byte by byte what is sent and exactly how the connection ends.

#include <chrono>
#include <cstdint>
#include <string>

namespace jobsync::test {

/// How a client ends its connection.
enum class hang_up {
  /// close(): FIN.
  fin,
  /// shutdown(SHUT_WR), read until the server closes too, then close().
  half_close,
  /// SO_LINGER 0, then close(): RST.
  reset,
};

const char* name_of(hang_up how);

class raw_connection {
public:
  /// Connects to 127.0.0.1:<port>; throws when it cannot.
  explicit raw_connection(uint16_t port);
  ~raw_connection();

  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  /// Sends bytes; false once the connection is broken.
  bool send(const std::string& bytes);

  /// Sends `GET <target> HTTP/1.1` with a Host header and nothing else.
  bool send_get(const std::string& target);

  /// Reads until `needle` has arrived; false when the connection closed or
  /// the timeout passed first.
  bool read_until(const std::string& needle,
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Reads until the server closes the connection; false when the timeout
  /// passes first.
  bool wait_closed(std::chrono::milliseconds timeout
                   = std::chrono::seconds(20));

  /// Everything received so far.
  const std::string& received() const {
    return received_;
  }

  /// The status code of the response head received so far (0 if none).
  int status() const;

  /// Ends the connection from this side.
  void end(hang_up how);

private:
  // Reads what one poll lets in; false when the connection closed or the
  // deadline passed.
  bool read_some(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool closed_ = false;
  std::string received_;
};

} // namespace jobsync::test
