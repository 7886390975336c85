// The deadline keeper and the bridge's ask: an actor that does not answer
// in time gets its HTTP request answered 504; one that answers releases
// the request, which is then never answered twice.

#include "http/bridge.hpp"
#include "http/deadlines.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

using namespace jobsync;
using namespace jobsync::http;
using namespace std::chrono_literals;

namespace {

// An exchange that records its answers.
class recorded_exchange : public exchange {
public:
  std::optional<std::string> header(std::string_view) const override {
    return std::nullopt;
  }

  void respond(response r) override {
    std::lock_guard<std::mutex> guard{mutex_};
    ++calls_;
    if (!answer_)
      answer_ = std::move(r);
    changed_.notify_all();
  }

  std::shared_ptr<stream>
  open_stream(std::vector<std::pair<std::string, std::string>>,
              std::function<void()>) override {
    return nullptr;
  }

  bool answered() const override {
    std::lock_guard<std::mutex> guard{mutex_};
    return answer_.has_value();
  }

  /// The answer, once there is one (waits at most `limit`).
  std::optional<response> wait(std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock{mutex_};
    changed_.wait_for(lock, limit, [&] { return answer_.has_value(); });
    return answer_;
  }

  int calls() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return calls_;
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<response> answer_;
  int calls_ = 0;
};

// Waits until `done` holds or the limit passes.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds limit = 10s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

struct bridge_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<const api> a;

  explicit bridge_fixture(std::chrono::milliseconds timeout = 200ms) {
    api_config config;
    config.actor_timeout = timeout;
    a = std::make_shared<const api>(sys, config, api_actors{});
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(http_deadlines)

BOOST_AUTO_TEST_CASE(an_exchange_not_released_in_time_is_answered_504) {
  deadline_keeper keeper{100ms};
  auto ex = std::make_shared<recorded_exchange>();
  keeper.watch(ex);
  auto answer = ex->wait(10s);
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->status == 504);
  BOOST_TEST(answer->body.find("\"timeout\"") != std::string::npos,
             answer->body);
  BOOST_TEST(keeper.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_released_exchange_is_forgotten_and_never_answered) {
  deadline_keeper keeper{100ms};
  auto ex = std::make_shared<recorded_exchange>();
  auto ticket = keeper.watch(ex);
  BOOST_TEST(keeper.pending() == 1u);
  keeper.release(ticket);
  BOOST_TEST(keeper.pending() == 0u);
  // A later exchange is answered at its deadline; by then the released one
  // would have been long overdue.
  auto later = std::make_shared<recorded_exchange>();
  keeper.watch(later);
  BOOST_REQUIRE(later->wait(10s));
  BOOST_TEST(ex->calls() == 0);
  // Releasing twice, or after the 504, is harmless.
  keeper.release(ticket);
}

BOOST_FIXTURE_TEST_CASE(an_actor_that_never_answers_gets_a_504,
                        bridge_fixture) {
  // Holds every promise, so that no reply (nor an error) goes back until
  // it is told to (then the bridge's actor can end, and the system stop).
  auto kept = std::make_shared<std::vector<caf::response_promise>>();
  auto silent
      = sys.spawn([kept](caf::event_based_actor* self) -> caf::behavior {
          return {[=](int) {
                    kept->push_back(self->make_response_promise());
                    return kept->back();
                  },
                  [=](const std::string&) {
                    for (auto& p : *kept)
                      p.deliver(0);
                    kept->clear();
                  }};
        });
  auto ex = std::make_shared<recorded_exchange>();
  ask(
      *a, ex, silent, [ex](int) { ex->respond(response{}); }, 1);
  auto answer = ex->wait(10s);
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->status == 504);
  BOOST_TEST(a->deadlines()->pending() == 0u);
  // The late reply still reaches the exchange, which keeps its first
  // answer (an exchange answers once).
  caf::anon_send(silent, std::string{"release"});
  BOOST_REQUIRE(eventually([&] { return ex->calls() == 2; }));
  BOOST_TEST(ex->wait(0ms)->status == 504);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(an_answer_in_time_is_the_response_and_releases_it,
                        bridge_fixture) {
  auto echo = sys.spawn(
      []() -> caf::behavior { return {[](int x) { return x + 1; }}; });
  auto ex = std::make_shared<recorded_exchange>();
  ask(
      *a, ex, echo,
      [ex](int v) {
        response r;
        r.body = std::to_string(v);
        ex->respond(std::move(r));
      },
      41);
  auto answer = ex->wait(10s);
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->status == 200);
  BOOST_TEST(answer->body == "42");
  BOOST_TEST(eventually([&] { return a->deadlines()->pending() == 0; }));
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
}

BOOST_FIXTURE_TEST_CASE(an_actor_that_fails_answers_through_the_error_table,
                        bridge_fixture) {
  auto gone = sys.spawn([]() -> caf::behavior { return {[](int) {}}; });
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  auto ex = std::make_shared<recorded_exchange>();
  ask(
      *a, ex, gone, [ex](int) { ex->respond(response{}); }, 1);
  auto answer = ex->wait(10s);
  BOOST_REQUIRE(answer);
  BOOST_TEST(answer->status >= 500);
  BOOST_TEST(eventually([&] { return a->deadlines()->pending() == 0; }));
}

BOOST_AUTO_TEST_SUITE_END()
