#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace jobsync::sim {

/// Runs callbacks after a delay on one thread of its own, so that slow
/// responses never hold an HTTP I/O thread.
class delay_queue {
public:
  delay_queue() = default;

  /// Stops the thread; pending callbacks are dropped, not run.
  ~delay_queue();

  delay_queue(const delay_queue&) = delete;
  delay_queue& operator=(const delay_queue&) = delete;

  /// Starts the thread.
  void start();

  /// Stops and joins the thread, dropping pending callbacks (so whatever
  /// they captured is released now, before the caller tears down more).
  void stop();

  /// Runs `fn` after `delay`; dropped when stopped.
  void post(std::chrono::milliseconds delay, std::function<void()> fn);

private:
  using clock = std::chrono::steady_clock;

  void run();

  std::mutex mtx_;
  std::condition_variable cv_;
  std::multimap<clock::time_point, std::function<void()>> pending_;
  bool running_ = false;
  std::thread thread_;
};

} // namespace jobsync::sim
