#include "http/sweeping_timers.hpp"
#include "tests/support/child_process.hpp"

#include <asio/executor_work_guard.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

using namespace jobsync::http;
using jobsync::test::eventually;
using namespace std::chrono_literals;

namespace {

// A connection as the timer manager sees it: counts its checks and, like
// RESTinio's, asks for the next one from inside a check while told to.
class counting_connection final : public restinio::tcp_connection_ctx_base_t {
public:
  explicit counting_connection(sweeping_timer_manager::timer_guard_t guard)
      : restinio::tcp_connection_ctx_base_t{1}, guard_(std::move(guard)) {}

  void check_timeout(
      std::shared_ptr<restinio::tcp_connection_ctx_base_t>& self) override {
    ++checks;
    if (keep_asking)
      guard_.schedule(self);
  }

  void schedule() {
    guard_.schedule(weak_from_this());
  }

  void cancel() {
    guard_.cancel();
  }

  std::atomic<int> checks{0};
  std::atomic<bool> keep_asking{false};

private:
  sweeping_timer_manager::timer_guard_t guard_;
};

// A manager sweeping every 10 ms on an I/O thread of its own.
struct sweeping_fixture {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{
      io.get_executor()};
  std::shared_ptr<sweeping_timer_manager> manager
      = sweeping_timer_manager::factory_t{10ms}.create(io);
  std::thread runner{[this] { io.run(); }};

  sweeping_fixture() {
    asio::post(io, [this] { manager->start(); });
  }

  ~sweeping_fixture() {
    manager->stop();
    work.reset();
    io.stop();
    runner.join();
  }

  std::shared_ptr<counting_connection> connect() {
    return std::make_shared<counting_connection>(manager->create_timer_guard());
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sweeping_timers_suite, sweeping_fixture)

BOOST_AUTO_TEST_CASE(a_connection_is_checked_once_per_request) {
  auto asked = connect();
  auto quiet = connect();
  asked->schedule();
  BOOST_REQUIRE(eventually([&] { return asked->checks.load() == 1; }));
  // Checked once: a later sweep finds nothing asked. A connection that
  // keeps asking (RESTinio's does while its deadline has not passed) is
  // checked at every sweep; with this one's sweeps going by, the other
  // was never checked and the first not again.
  auto steady = connect();
  steady->keep_asking = true;
  steady->schedule();
  BOOST_REQUIRE(eventually([&] { return steady->checks.load() >= 5; }));
  BOOST_TEST(asked->checks.load() == 1);
  BOOST_TEST(quiet->checks.load() == 0);
}

BOOST_AUTO_TEST_CASE(a_cancelled_or_closed_connection_is_not_checked) {
  auto cancelled = connect();
  cancelled->schedule();
  cancelled->cancel();
  auto closed = connect();
  closed->schedule();
  std::weak_ptr<counting_connection> gone = closed;
  closed.reset();
  BOOST_TEST(gone.expired());
  auto steady = connect();
  steady->keep_asking = true;
  steady->schedule();
  BOOST_REQUIRE(eventually([&] { return steady->checks.load() >= 5; }));
  BOOST_TEST(cancelled->checks.load() == 0);
}

BOOST_AUTO_TEST_CASE(stop_ends_the_sweeps) {
  auto steady = connect();
  steady->keep_asking = true;
  steady->schedule();
  BOOST_REQUIRE(eventually([&] { return steady->checks.load() >= 2; }));
  // Stopped from the I/O thread, between sweeps: none runs after it.
  std::atomic<int> at_stop{-1};
  asio::post(io, [&] {
    manager->stop();
    at_stop = steady->checks.load();
  });
  BOOST_REQUIRE(eventually([&] { return at_stop.load() >= 0; }));
  // Another manager's sweeps on the same thread measure time passing.
  auto other = sweeping_timer_manager::factory_t{10ms}.create(io);
  auto witness
      = std::make_shared<counting_connection>(other->create_timer_guard());
  witness->keep_asking = true;
  asio::post(io, [&] {
    other->start();
    witness->schedule();
  });
  BOOST_REQUIRE(eventually([&] { return witness->checks.load() >= 5; }));
  BOOST_TEST(steady->checks.load() == at_stop.load());
  other->stop();
}

BOOST_AUTO_TEST_SUITE_END()
