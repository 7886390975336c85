#pragma once

#include <chrono>
#include <map>
#include <string>

namespace jobsync::test {

/// A complete HTTP response as a test sees it.
struct http_response {
  /// 0 when no response arrived (connection closed, timeout).
  long status = 0;
  std::string body;
  /// Header names lower-cased; the last value wins.
  std::map<std::string, std::string> headers;
  /// libcurl's error text when status is 0.
  std::string error;
};

/// One blocking request with libcurl (tests only; the server's own client
/// is asynchronous).
http_response
http_request(const std::string& method, const std::string& url,
             const std::string& body = {},
             const std::map<std::string, std::string>& headers = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// GET shorthand.
inline http_response http_get(const std::string& url,
                              const std::map<std::string, std::string>& headers
                              = {}) {
  return http_request("GET", url, {}, headers);
}

/// A client that keeps its connection open between requests (one libcurl
/// easy handle), for tests that make many requests from one thread.
class http_session {
public:
  http_session();
  ~http_session();
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  /// A GET over the kept connection.
  http_response get(const std::string& url);

private:
  void* handle_;
};

/// Percent-encodes a URL component.
std::string url_encode(const std::string& s);

} // namespace jobsync::test
