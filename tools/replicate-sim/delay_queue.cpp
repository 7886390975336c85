#include "tools/replicate-sim/delay_queue.hpp"

namespace jobsync::sim {

delay_queue::~delay_queue() {
  stop();
}

void delay_queue::start() {
  std::lock_guard<std::mutex> guard{mtx_};
  if (running_)
    return;
  running_ = true;
  thread_ = std::thread{[this] { run(); }};
}

void delay_queue::stop() {
  std::multimap<clock::time_point, std::function<void()>> dropped;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    running_ = false;
    dropped.swap(pending_);
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void delay_queue::post(std::chrono::milliseconds delay,
                       std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!running_)
      return;
    pending_.emplace(clock::now() + delay, std::move(fn));
  }
  cv_.notify_all();
}

void delay_queue::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  while (running_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto due = pending_.begin()->first;
    if (clock::now() < due) {
      cv_.wait_until(lock, due);
      continue;
    }
    auto fn = std::move(pending_.begin()->second);
    pending_.erase(pending_.begin());
    lock.unlock();
    fn();
    lock.lock();
  }
}

} // namespace jobsync::sim
