#pragma once

#include "model/json.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Transport-neutral request and reply: the emulator's logic works on these,
// and only http_server.cpp translates them to and from RESTinio.

namespace jobsync::sim {

/// An incoming request.
struct http_request {
  /// `GET`, `POST`, ...
  std::string method;
  /// The path without the query, not percent-decoded.
  std::string path;
  /// The raw query string (without `?`).
  std::string query;
  /// Header fields with lower-cased names, in order.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The body.
  std::string body;

  /// The first value of a header (name in lower case), or nullptr.
  const std::string* header(std::string_view lower_name) const;
};

/// What to send back.
struct http_reply {
  /// HTTP status.
  int status = 200;
  /// Extra header fields.
  std::vector<std::pair<std::string, std::string>> headers;
  /// The body.
  std::string body;
  /// Close the connection instead of answering.
  bool drop = false;
  /// Wait this long (without blocking an I/O thread) before answering.
  std::chrono::milliseconds delay{0};

  /// Adds a header field.
  http_reply& add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

/// A handler of requests.
using http_handler = std::function<http_reply(const http_request&)>;

/// The standard reason phrase of a status code.
const char* reason_phrase(int status);

/// A reply with an `application/json` body.
http_reply json_reply(int status, std::string body);

/// A problem+json reply (RFC 7807 as Replicate shapes it): `title` when not
/// empty, then `detail`, `status` and whatever `extra` writes.
http_reply problem_reply(int status, std::string_view title,
                         std::string_view detail,
                         const std::function<void(json_writer&)>& extra = {});

/// Splits a path into its segments (`/v1/a/` -> `v1`, `a`).
std::vector<std::string_view> split_path(std::string_view path);

} // namespace jobsync::sim
