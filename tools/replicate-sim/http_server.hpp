#pragma once

#include "tools/replicate-sim/delay_queue.hpp"
#include "tools/replicate-sim/http_types.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace jobsync::sim {

/// Listening and limits of the HTTP server.
struct http_server_settings {
  /// Bind address.
  std::string host = "127.0.0.1";
  /// Bind port (0: ephemeral).
  uint16_t port = 0;
  /// I/O threads.
  size_t threads = 2;
  /// Largest accepted request body.
  size_t max_body_bytes = 16 * 1024 * 1024;
};

/// The RESTinio server: the only translation unit that instantiates
/// RESTinio. It turns requests into `http_request`, calls the handler and
/// writes the `http_reply` back: delayed replies through the delay queue,
/// dropped ones by closing the connection.
class http_server {
public:
  /// Serves `handler`; delayed replies are scheduled on `delays`.
  http_server(http_server_settings settings, http_handler handler,
              delay_queue& delays);

  /// Stops the server if still running.
  ~http_server();

  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Binds and starts serving; `on_bound` runs with the bound port before
  /// the first connection is accepted. Returns the port; throws
  /// std::exception when binding fails.
  uint16_t start(const std::function<void(uint16_t)>& on_bound);

  /// Stops accepting, closes connections and joins the I/O threads.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace jobsync::sim
