#pragma once

#include "tools/replicate-sim/request_stats.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace jobsync::sim {

/// One webhook request to deliver (and maybe retry).
struct webhook_message {
  /// The job it is about; deliveries of one job go out in order.
  std::string job_id;
  /// `start`, `output`, `logs` or `completed`.
  std::string event;
  /// Target URL.
  std::string url;
  /// `webhook-id`, identical on retries.
  std::string msg_id;
  /// The prediction JSON at the time of the event.
  std::string body;
  /// Retry on non-2xx or connection failure (only `completed` is).
  bool retry = false;
};

/// Delivery settings.
struct webhook_policy {
  /// Delay before the first retry; doubles with each further one.
  int retry_initial_ms = 250;
  /// Retries after the first attempt.
  int max_retries = 6;
  /// Per-attempt timeout.
  int timeout_ms = 5000;
  /// Requests in flight at once (to different jobs).
  size_t concurrency = 8;
};

/// One attempt as recorded for `/_admin/webhooks`.
struct webhook_attempt {
  /// The message.
  std::string msg_id;
  /// The job.
  std::string job_id;
  /// The event.
  std::string event;
  /// Target URL.
  std::string url;
  /// 1 for the first attempt.
  int attempt = 0;
  /// HTTP status; 0 when no response arrived.
  long status = 0;
  /// libcurl's error text when status is 0.
  std::string error;
  /// Wall time of the attempt (Unix ms).
  int64_t at_ms = 0;
};

/// Delivers webhooks from its own thread with libcurl's multi interface,
/// so neither HTTP I/O threads nor the simulator ever wait on a receiver.
/// Each attempt is signed afresh (new `webhook-timestamp`, same
/// `webhook-id`), Standard Webhooks style. Redirects are not followed.
class webhook_sender {
public:
  /// `key` is the decoded signing secret.
  webhook_sender(std::string key, webhook_policy policy);

  /// Stops the thread; undelivered messages are dropped.
  ~webhook_sender();

  webhook_sender(const webhook_sender&) = delete;
  webhook_sender& operator=(const webhook_sender&) = delete;

  /// Starts the delivery thread.
  void start();

  /// Stops and joins the delivery thread.
  void stop();

  /// Queues a message behind earlier ones of the same job, unless a drop
  /// rule takes it.
  void enqueue(webhook_message message);

  /// Drops the next `count` messages of `event` ("*": any) for `job_id`:
  /// they are never sent and never retried, as if every delivery of them
  /// was lost on the way (a receiver then only learns by polling).
  void drop(const std::string& job_id, const std::string& event, int count);

  /// Forgets every drop rule; returns how many there were.
  size_t clear_drops();

  /// Counters since start or the last reset.
  webhook_counters counters() const;

  /// Zeroes the counters.
  void reset_counters();

  /// The most recent attempts, oldest first (bounded).
  std::vector<webhook_attempt> recent() const;

  /// Messages not yet finished (queued, in flight or awaiting a retry).
  size_t pending() const;

private:
  struct queued {
    webhook_message message;
    int attempts = 0;
  };
  struct transfer;
  using clock = std::chrono::steady_clock;

  void run();
  void launch_due(clock::time_point now);
  void finish(void* handle, long status, const std::string& error);
  void schedule(const std::string& job_id, clock::time_point due);

  std::string key_;
  webhook_policy policy_;
  void* multi_ = nullptr;
  std::thread thread_;
  mutable std::mutex mtx_;
  bool running_ = false;
  std::map<std::string, std::deque<queued>> queues_;
  std::multimap<clock::time_point, std::string> schedule_;
  std::map<void*, std::unique_ptr<transfer>> in_flight_;
  webhook_counters counters_;
  std::deque<webhook_attempt> recent_;
  size_t pending_ = 0;
  /// Drop rules: (job id, event) -> messages still to drop.
  std::map<std::pair<std::string, std::string>, int> drops_;
};

} // namespace jobsync::sim
