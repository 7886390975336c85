#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jobsync::test {

/// One request as the recording server received it.
struct recorded_request {
  /// `POST`, ...
  std::string method;
  /// The request target (path and query).
  std::string target;
  /// Header names lower-cased; the last value wins.
  std::map<std::string, std::string> headers;
  /// The raw body bytes.
  std::string body;
  /// The status it was answered with (0: connection closed instead).
  int answered = 0;
};

/// A minimal HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests that
/// need to receive requests, e.g. webhooks: it records every request and
/// answers with scripted statuses. One connection at a time, each answered
/// with `Connection: close`. Bodies need Content-Length (no chunking).
class recording_server {
public:
  /// Binds and starts the accept thread.
  recording_server();

  /// Stops the thread and closes the socket.
  ~recording_server();

  recording_server(const recording_server&) = delete;
  recording_server& operator=(const recording_server&) = delete;

  /// The bound port.
  uint16_t port() const {
    return port_;
  }

  /// `http://127.0.0.1:<port><path>`.
  std::string url(const std::string& path = "/hook") const;

  /// Status for requests once the script is used up (default 200).
  void answer_with(int status);

  /// Statuses for the next requests, in order; 0 closes the connection
  /// without answering.
  void script(std::vector<int> statuses);

  /// Everything received so far.
  std::vector<recorded_request> requests() const;

  /// Number of requests received so far.
  size_t count() const;

  /// Waits until at least `n` requests arrived; false on timeout.
  bool wait_for(size_t n, std::chrono::milliseconds timeout
                          = std::chrono::seconds(20)) const;

  /// Waits until `condition(requests)` holds; false on timeout.
  bool
  wait_until(const std::function<bool(const std::vector<recorded_request>&)>&
                 condition,
             std::chrono::milliseconds timeout
             = std::chrono::seconds(20)) const;

private:
  void run();
  void serve(int fd);

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  mutable std::condition_variable cv_;
  std::vector<recorded_request> requests_;
  std::deque<int> script_;
  int default_status_ = 200;
};

} // namespace jobsync::test
