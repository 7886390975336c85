#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::http {

/// A request whose bytes are not valid HTTP, as RESTinio reports it.
struct malformed_request {
  /// RESTinio's id of the connection it came on.
  uint64_t connection_id = 0;
  /// What was wrong, as a sentence for the client.
  std::string detail;
};

/// Recognizes RESTinio 0.6's error log line for a request http_parser
/// refused (`[connection:7] parser error HPE_INVALID_METHOD: invalid HTTP
/// method`); nullopt for every other line. RESTinio closes such a
/// connection right after logging this line, without an answer; the line
/// is the only notice the server gets.
std::optional<malformed_request> malformed_request_of(std::string_view line);

/// The complete HTTP/1.1 response that refuses a malformed request: 400
/// with the JSON error shape and `Connection: close`.
std::string bad_request_bytes(const std::string& detail);

} // namespace jobsync::http
