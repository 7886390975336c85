#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobsync::http {

/// A complete response. JSON unless said otherwise.
struct response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The write side of a streaming response (Server-Sent Events). Writes are
/// queued in order; the stream counts what has not reached the socket yet.
class stream {
public:
  virtual ~stream() = default;

  /// Queues bytes and flushes them, without a copy: the buffer may be
  /// shared by many streams (one event frame for every subscriber) and
  /// must not change. Ignored after finish().
  virtual void write(std::shared_ptr<const std::string> bytes) = 0;

  /// Bytes queued by write() that have not reached the socket yet.
  virtual size_t unflushed() const = 0;

  /// Ends the response; later writes are ignored. `done` (may be empty)
  /// runs with true once the end was handed to the connection, with false
  /// when it could not be.
  virtual void finish(std::function<void(bool)> done) = 0;
};

/// One HTTP request as handlers see it, and the one way to answer it.
/// Handlers never see RESTinio: only http/server.cpp does.
class exchange {
public:
  virtual ~exchange() = default;

  std::string method;
  /// The path without the query, as sent (not decoded).
  std::string path;
  /// The raw query string without `?`.
  std::string query;
  std::string body;
  /// The client's IP address.
  std::string remote_address;
  /// The route's path parameters, percent-decoded.
  std::map<std::string, std::string> params;
  /// Identifies the connection (SSE disconnect notices carry it).
  uint64_t connection_id = 0;

  /// A request header (case-insensitive name).
  virtual std::optional<std::string> header(std::string_view name) const = 0;

  /// Answers; callable from any thread, once (later calls are ignored).
  virtual void respond(response r) = 0;

  /// Answers 200 with a chunked body and these headers, and returns the
  /// stream to write it with; nullptr when the exchange was answered already.
  /// `on_broken` runs once if a write fails or cannot be made (the
  /// connection broke; a HEAD request has no body), on any thread.
  virtual std::shared_ptr<stream>
  open_stream(std::vector<std::pair<std::string, std::string>> headers,
              std::function<void()> on_broken)
      = 0;

  /// Whether respond() or open_stream() was called.
  virtual bool answered() const = 0;
};

using exchange_ptr = std::shared_ptr<exchange>;

/// A route handler: parses, asks one actor, answers (possibly later).
using handler = std::function<void(const exchange_ptr&)>;

/// One entry of the route table.
struct route {
  /// "GET", "POST", "PUT", "PATCH" or "DELETE". A GET route answers HEAD
  /// too (the same headers, no body).
  std::string method;
  /// Express-style path, parameters as `:name`.
  std::string pattern;
  handler fn;
  /// Largest body this route accepts (bigger: 413); 0: the server's
  /// `max_body_bytes`.
  size_t max_body_bytes = 0;
};

} // namespace jobsync::http
