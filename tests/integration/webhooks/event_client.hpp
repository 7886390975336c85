#pragma once

// A minimal `GET /api/events` reader for the webhook tests: collects the
// job events of one stream on its own thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace jobsync::test {

/// One `job_status_changed` event as received.
struct received_event {
  uint64_t id = 0;
  std::string job_id;
  std::string status;
  /// Empty for a discovery (`previous_status: null`).
  std::string previous_status;
};

/// Reads an event stream until destroyed.
class event_client {
public:
  /// Connects to `url` (e.g. `http://127.0.0.1:<port>/api/events`).
  explicit event_client(std::string url);

  /// Ends the stream and joins the thread.
  ~event_client();

  event_client(const event_client&) = delete;
  event_client& operator=(const event_client&) = delete;

  /// Waits until the server has opened the stream (its first frame).
  bool wait_open(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Waits until an event satisfies `pred`.
  bool wait_for(std::function<bool(const received_event&)> pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Every job event so far, in order.
  std::vector<received_event> events() const;

  /// The events of one job, in order.
  std::vector<received_event> events_of(const std::string& job_id) const;

private:
  static size_t on_data(char* data, size_t size, size_t n, void* self);
  static int on_progress(void* self, long long, long long, long long,
                         long long);
  void parse();

  std::string url_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::string buffer_;
  bool open_ = false;
  std::vector<received_event> events_;
  std::thread thread_;
};

} // namespace jobsync::test
