#pragma once

// Follows one job on jobsync's event stream (`GET /api/events?job_id=`) on
// a thread of its own, reconnecting with Last-Event-ID, and calls back once
// when the job is cancelled through jobsync. After every (re)connect it also
// reads the job once, so a cancel that happened while it was not listening
// is not missed.

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace jobsync::tools {

/// What to follow.
struct follow_target {
  /// The server's base URL (`http://127.0.0.1:8080`).
  std::string base_url;
  std::string job_id;
  /// `server.api_token`, when the server wants one.
  std::string api_token;
};

/// Follows a job until stopped; `on_cancelled` runs (on the follower's
/// thread) at most once.
class job_follower {
public:
  job_follower(follow_target target, std::function<void()> on_cancelled);
  ~job_follower();
  job_follower(const job_follower&) = delete;
  job_follower& operator=(const job_follower&) = delete;

  /// Stops following and waits for the thread (at most about a second).
  void stop();

private:
  void run();
  void check_job();
  void on_event(const std::string& data);
  void cancelled();

  follow_target target_;
  std::function<void()> on_cancelled_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> fired_{false};
  std::string last_event_id_;
  std::thread thread_;
};

} // namespace jobsync::tools
