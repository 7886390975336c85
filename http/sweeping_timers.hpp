#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <restinio/timer_common.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

namespace jobsync::http {

/// RESTinio's connection timers (its `timer_manager_t` concept), swept:
/// one timer per server checks, once per period, every connection that
/// asked to be checked. RESTinio's own manager gives each connection a
/// steady_timer that fires once per period; with 10,000 event streams
/// that was 3,300 firings a second at a 3 s period, each a wake-up of an
/// I/O thread, a timer-queue update and a timerfd call (about 30 ms of CPU
/// per event in the fan-out bench, where sending the event to everyone
/// costs about 100). A connection is checked at the first sweep after it
/// asks (at most a period later, as before), on its own strand, by
/// RESTinio's check_timeout, which asks again when its deadline has not
/// passed.
class sweeping_timer_manager
    : public std::enable_shared_from_this<sweeping_timer_manager> {
  struct slot {
    std::mutex mtx;
    restinio::tcp_connection_ctx_weak_handle_t waiting;
  };

public:
  sweeping_timer_manager(asio::io_context& io,
                         std::chrono::steady_clock::duration period);

  /// A connection's timer: schedule() asks for a check at the next sweep,
  /// cancel() withdraws it.
  class timer_guard_t {
  public:
    explicit timer_guard_t(std::shared_ptr<slot> s) : slot_(std::move(s)) {}

    void schedule(restinio::tcp_connection_ctx_weak_handle_t connection);
    void cancel() noexcept;

  private:
    std::shared_ptr<slot> slot_;
  };

  timer_guard_t create_timer_guard();

  /// Sweeps from now on, every period, until stop().
  void start();
  void stop() noexcept;

  /// What RESTinio's settings make the manager from (`timer_manager(...)`).
  struct factory_t {
    std::chrono::steady_clock::duration period{std::chrono::seconds{1}};

    factory_t() noexcept = default;
    explicit factory_t(std::chrono::steady_clock::duration p) noexcept
        : period(p) {}

    std::shared_ptr<sweeping_timer_manager> create(asio::io_context& io) const {
      return std::make_shared<sweeping_timer_manager>(io, period);
    }
  };

private:
  void arm();
  void sweep();

  const std::chrono::steady_clock::duration period_;
  std::mutex mtx_;
  asio::steady_timer timer_;
  bool running_ = false;
  std::vector<std::weak_ptr<slot>> slots_;
};

} // namespace jobsync::http
