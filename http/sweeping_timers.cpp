#include "http/sweeping_timers.hpp"

namespace jobsync::http {

sweeping_timer_manager::sweeping_timer_manager(
    asio::io_context& io, std::chrono::steady_clock::duration period)
    : period_(period), timer_(io) {}

void sweeping_timer_manager::timer_guard_t::schedule(
    restinio::tcp_connection_ctx_weak_handle_t connection) {
  std::lock_guard<std::mutex> guard{slot_->mtx};
  slot_->waiting = std::move(connection);
}

void sweeping_timer_manager::timer_guard_t::cancel() noexcept {
  std::lock_guard<std::mutex> guard{slot_->mtx};
  slot_->waiting.reset();
}

sweeping_timer_manager::timer_guard_t
sweeping_timer_manager::create_timer_guard() {
  auto s = std::make_shared<slot>();
  std::lock_guard<std::mutex> guard{mtx_};
  slots_.push_back(s);
  return timer_guard_t{std::move(s)};
}

void sweeping_timer_manager::start() {
  std::lock_guard<std::mutex> guard{mtx_};
  running_ = true;
  arm();
}

void sweeping_timer_manager::stop() noexcept {
  std::lock_guard<std::mutex> guard{mtx_};
  running_ = false;
  asio::error_code ignored;
  timer_.cancel(ignored);
}

// Called with mtx_ held: the timer is shared by start, stop and the sweep,
// which may run on different I/O threads.
void sweeping_timer_manager::arm() {
  timer_.expires_after(period_);
  timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    if (ec)
      return;
    if (auto self = weak.lock())
      self->sweep();
  });
}

void sweeping_timer_manager::sweep() {
  std::vector<restinio::tcp_connection_ctx_weak_handle_t> due;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!running_)
      return;
    // Collects the waiting connections and forgets the closed ones'
    // slots, keeping the order.
    size_t kept = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      auto s = slots_[i].lock();
      if (!s)
        continue;
      {
        std::lock_guard<std::mutex> slot_guard{s->mtx};
        if (!s->waiting.expired())
          due.push_back(std::move(s->waiting));
        s->waiting.reset();
      }
      // (Not onto itself: a weak_ptr moved onto itself ends up empty.)
      if (kept != i)
        slots_[kept] = std::move(slots_[i]);
      ++kept;
    }
    slots_.resize(kept);
    arm();
  }
  // Outside the lock: a check may ask again at once (schedule).
  for (auto& weak : due)
    if (auto connection = weak.lock())
      connection->check_timeout(connection);
}

} // namespace jobsync::http
