#pragma once

#include "http/connection_counters.hpp"
#include "http/exchange.hpp"
#include "model/result.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace jobsync::http {

/// How the listener runs.
struct server_config {
  std::string host = "127.0.0.1";
  /// 0 picks a free port.
  uint16_t port = 8080;
  int threads = 2;
  /// Larger bodies are answered 413 (unless a route sets its own limit).
  size_t max_body_bytes = 1048576;
  /// Connections held at once; a connection accepted beyond them is
  /// closed at once (see connection_budget.hpp).
  size_t max_connections = 1024;
  /// A request must arrive whole within this long after the connection
  /// starts waiting for it (RESTinio's read_next_http_message_timelimit:
  /// slow or idle clients are closed), and a response without any write
  /// for this long is dropped (its handle_request_timeout; SSE heartbeats
  /// must come more often).
  std::chrono::seconds request_timeout{60};
  /// Called from I/O threads once for every connection that closes (SSE
  /// uses it to drop subscribers at once).
  std::function<void(uint64_t connection_id)> on_connection_closed;
  /// Where the server counts its connections (may be shared with the
  /// metrics handler); the server makes its own when empty.
  std::shared_ptr<connection_counters> counters;
};

/// The RESTinio server: the only translation unit that instantiates it.
/// Every request reaches exactly one route handler or gets a JSON error:
/// unknown routes 404, oversized bodies 413, handler exceptions 500.
class server {
public:
  /// Binds and starts the I/O threads.
  static result<std::unique_ptr<server>> start(server_config config,
                                               std::vector<route> routes);

  ~server();

  /// The bound port (useful with port 0).
  uint16_t port() const;

  /// Stops accepting, closes connections and waits for the I/O threads.
  void stop();

private:
  struct impl;
  explicit server(std::unique_ptr<impl> x);
  std::unique_ptr<impl> impl_;
};

} // namespace jobsync::http
