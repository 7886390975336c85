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
  // Every value comes from the configuration (`server.*`, defaults in
  // config/settings.hpp; see app/assembly).
  std::string host;
  /// 0 picks a free port.
  uint16_t port = 0;
  int threads = 0;
  /// Larger bodies are answered 413 (unless a route sets its own limit).
  size_t max_body_bytes = 0;
  /// Connections held at once; a connection accepted beyond them is
  /// closed at once (see connection_budget.hpp).
  size_t max_connections = 0;
  /// A request must arrive whole within this long after the connection
  /// starts waiting for it (RESTinio's read_next_http_message_timelimit:
  /// slow or idle clients are closed), and a response without any write
  /// for this long is dropped (its handle_request_timeout; SSE heartbeats
  /// must come more often).
  std::chrono::seconds request_timeout{0};
  /// Called from I/O threads once for every connection that closes (SSE
  /// uses it to drop subscribers at once).
  std::function<void(uint64_t connection_id)> on_connection_closed;
  /// Where the server counts its connections (may be shared with the
  /// metrics handler); the server makes its own when empty.
  std::shared_ptr<connection_counters> counters;

  /// Rejects settings the listener cannot work with (no I/O thread, room
  /// for no connection, no time for a request): start() would otherwise
  /// wait forever or refuse every client.
  result<void> validate() const;
};

/// The RESTinio server: the only translation unit that instantiates it.
/// Every request reaches exactly one route handler or gets a JSON error:
/// unknown paths 404, a known path with a method it does not serve 405
/// (with `Allow`), oversized bodies 413, handler exceptions 500, and bytes
/// that are not valid HTTP 400 (on a connection that owes no response)
/// before the connection closes. HEAD is served wherever GET is.
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
