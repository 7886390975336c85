#pragma once

// Which connection's socket callback a thread is running. RESTinio 0.6.16
// parses requests and calls their handlers inside a connection's read and
// write completions; a handler that answers at once appends its response
// there, and RESTinio then resumes reading after a write although requests
// read meanwhile filled its table of pipelined requests: it throws and
// closes the connection with them unanswered (8 pipelined requests to a
// route answered at once got 3 answers). An answer made inside such a
// callback while other requests of the connection are owed is therefore
// posted to the connection's strand, to be written after RESTinio has read
// what it may, as an actor's answer is.

#include <restinio/asio_include.hpp>

namespace jobsync::http {

/// A read or write completion of one connection's socket.
struct connection_callback {
  /// The socket, as an identity.
  const void* socket = nullptr;
  /// Where the connection's callbacks run, one at a time.
  asio::any_io_executor strand;
};

/// The callback this thread is running now; nullptr outside any.
const connection_callback* running_callback() noexcept;

/// Marks `c` as the running callback while it lives.
class connection_callback_scope {
public:
  explicit connection_callback_scope(const connection_callback& c) noexcept;
  ~connection_callback_scope();

  connection_callback_scope(const connection_callback_scope&) = delete;
  connection_callback_scope& operator=(const connection_callback_scope&)
      = delete;

private:
  const connection_callback* previous_;
};

} // namespace jobsync::http
