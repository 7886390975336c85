#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace jobsync::sim {

/// Calls a function periodically on its own thread (the simulator's
/// webhook check), until stopped.
class ticker {
public:
  /// Will call `fn` every `period` once started.
  ticker(std::chrono::milliseconds period, std::function<void()> fn);

  /// Stops the thread.
  ~ticker();

  ticker(const ticker&) = delete;
  ticker& operator=(const ticker&) = delete;

  /// Starts the thread.
  void start();

  /// Stops and joins the thread.
  void stop();

private:
  std::chrono::milliseconds period_;
  std::function<void()> fn_;
  std::mutex mtx_;
  std::condition_variable cv_;
  bool running_ = false;
  std::thread thread_;
};

} // namespace jobsync::sim
