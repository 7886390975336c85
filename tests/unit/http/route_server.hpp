#pragma once

// jobsync's route table (http/routes.cpp) served by the real server on a
// loopback port, for the unit tests that call routes over HTTP.

#include "http/routes.hpp"
#include "http/server.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace jobsync::test {

/// Starts the server with `a`'s routes on a free port, one I/O thread.
inline std::unique_ptr<http::server>
serve_routes(std::shared_ptr<const http::api> a, size_t max_connections) {
  http::server_config sc;
  sc.host = "127.0.0.1";
  sc.port = 0;
  sc.threads = 1;
  sc.max_connections = max_connections;
  sc.request_timeout = std::chrono::seconds{30};
  sc.max_body_bytes = 1 << 20;
  auto started = http::server::start(sc, http::make_routes(std::move(a)));
  if (!started)
    BOOST_FAIL(started.error().detail);
  return std::move(*started);
}

/// "http://127.0.0.1:<port>" of a started server.
inline std::string base_url(const http::server& s) {
  return "http://127.0.0.1:" + std::to_string(s.port());
}

} // namespace jobsync::test
