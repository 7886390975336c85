#include "tools/replicate-sim/ticker.hpp"

namespace jobsync::sim {

ticker::ticker(std::chrono::milliseconds period, std::function<void()> fn)
    : period_(period), fn_(std::move(fn)) {}

ticker::~ticker() {
  stop();
}

void ticker::start() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (running_)
    return;
  running_ = true;
  thread_ = std::thread{[this] {
    std::unique_lock<std::mutex> lock{mtx_};
    while (running_) {
      if (cv_.wait_for(lock, period_, [this] { return !running_; }))
        break;
      lock.unlock();
      fn_();
      lock.lock();
    }
  }};
}

void ticker::stop() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    running_ = false;
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

} // namespace jobsync::sim
