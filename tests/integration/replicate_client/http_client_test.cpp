#include "support.hpp"

#include "providers/http_client.hpp"
#include "providers/replicate/client.hpp"

#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>

using namespace jobsync;
using namespace jobsync::providers;
using namespace std::chrono_literals;

namespace {

// A loopback TCP listener that never answers: the kernel completes
// handshakes into the backlog, so clients connect and then wait forever.
// accept_one() lets a test count the connections that arrived.
class silent_listener {
public:
  silent_listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
                  == 0);
    BOOST_REQUIRE(::listen(fd_, 64) == 0);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }

  ~silent_listener() {
    for (int fd : accepted_)
      ::close(fd);
    ::close(fd_);
  }

  std::string root() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

  std::string url() const {
    return root() + "/slow";
  }

  // Reads the request head from the last accepted connection.
  std::string read_head() {
    std::string head;
    char buf[4096];
    auto ms = static_cast<int>(
        std::chrono::milliseconds{jobsync::test::answer_timeout}.count());
    while (head.find("\r\n\r\n") == std::string::npos) {
      pollfd p{accepted_.back(), POLLIN, 0};
      if (::poll(&p, 1, ms) != 1)
        break;
      auto n = ::recv(accepted_.back(), buf, sizeof(buf), 0);
      if (n <= 0)
        break;
      head.append(buf, static_cast<size_t>(n));
    }
    return head;
  }

  // Waits (up to the test timeout) for one more connection.
  bool accept_one() {
    pollfd p{fd_, POLLIN, 0};
    auto ms = static_cast<int>(
        std::chrono::milliseconds{jobsync::test::answer_timeout}.count());
    if (::poll(&p, 1, ms) != 1)
      return false;
    int fd = ::accept(fd_, nullptr, nullptr);
    if (fd < 0)
      return false;
    accepted_.push_back(fd);
    return true;
  }

private:
  int fd_ = -1;
  uint16_t port_ = 0;
  std::vector<int> accepted_;
};

// A port nobody listens on (bound once, then released).
uint16_t closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

http_response fetch(http_client& client, http_request req) {
  std::promise<http_response> done;
  auto answer = done.get_future();
  client.submit(std::move(req),
                [&done](http_response r) { done.set_value(std::move(r)); });
  BOOST_REQUIRE(answer.wait_for(jobsync::test::answer_timeout)
                == std::future_status::ready);
  return answer.get();
}

http_request get(std::string url, std::chrono::milliseconds timeout = 60s) {
  http_request req;
  req.url = std::move(url);
  req.timeout = timeout;
  return req;
}

// Collects responses in completion order.
struct collector {
  std::mutex mtx;
  std::vector<std::pair<int, http_response>> done;
  std::promise<void> all;
  size_t expected = 0;

  http_callback callback(int index) {
    return [this, index](http_response r) {
      std::lock_guard<std::mutex> guard{mtx};
      done.emplace_back(index, std::move(r));
      if (done.size() == expected)
        all.set_value();
    };
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(http_client_behaviour)

BOOST_AUTO_TEST_CASE(a_closed_port_fails_with_connect_failed) {
  http_client client;
  auto r = fetch(
      client, get("http://127.0.0.1:" + std::to_string(closed_port()) + "/x"));
  BOOST_TEST(to_string(r.error) == "connect_failed");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(!r.error_text.empty());
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_hits_the_deadline) {
  silent_listener server;
  http_client client;
  auto r = fetch(client, get(server.url(), 200ms));
  BOOST_TEST(to_string(r.error) == "timeout", r.error_text);
}

BOOST_AUTO_TEST_CASE(the_concurrency_bound_limits_open_transfers) {
  silent_listener server;
  http_client client{http_client_config{3, 1 << 20, "test"}};
  collector c;
  c.expected = 5;
  for (int i = 0; i < 5; ++i)
    client.submit(get(server.url()), c.callback(i));
  // Three transfers reach the server while none completes...
  for (int i = 0; i < 3; ++i)
    BOOST_REQUIRE(server.accept_one());
  BOOST_TEST(client.pending() == 5u);
  client.stop();
  // ...and stop() fails all five, running ones and queued ones, in
  // submission order, before it returns.
  BOOST_REQUIRE(c.done.size() == 5u);
  for (int i = 0; i < 5; ++i) {
    BOOST_TEST(c.done[i].first == i);
    BOOST_TEST(to_string(c.done[i].second.error) == "other");
    BOOST_TEST(c.done[i].second.error_text.find("stopped")
               != std::string::npos);
  }
  BOOST_TEST(client.pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_request_after_stop_fails_at_once) {
  http_client client;
  client.stop();
  bool called = false;
  client.submit(get("http://127.0.0.1:1/x"), [&](http_response r) {
    called = true;
    BOOST_TEST(to_string(r.error) == "other");
  });
  BOOST_TEST(called);
  client.stop(); // idempotent
}

BOOST_AUTO_TEST_CASE(a_callback_may_submit_the_next_request) {
  http_client client;
  auto url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x";
  std::promise<int> done;
  auto finished = done.get_future();
  std::function<void(int)> step = [&](int n) {
    client.submit(get(url), [&, n](http_response) {
      if (n == 3)
        done.set_value(n);
      else
        step(n + 1);
    });
  };
  step(1);
  BOOST_REQUIRE(finished.wait_for(jobsync::test::answer_timeout)
                == std::future_status::ready);
  BOOST_TEST(finished.get() == 3);
}

BOOST_AUTO_TEST_CASE(a_throwing_callback_does_not_stop_the_client) {
  http_client client;
  auto url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x";
  client.submit(get(url), [](http_response) {
    throw std::runtime_error("careless caller");
  });
  auto r = fetch(client, get(url));
  BOOST_TEST(to_string(r.error) == "connect_failed");
}

BOOST_AUTO_TEST_CASE(replicate_requests_carry_token_accept_and_user_agent) {
  silent_listener server;
  providers::provider_options cfg;
  cfg.name = "replicate";
  cfg.resource = "predictions";
  cfg.request_timeout = std::chrono::seconds{30};
  cfg.connect_timeout = std::chrono::seconds{10};
  cfg.max_concurrency = 1;
  cfg.api_base_url = server.root() + "/v1";
  cfg.api_token = "r8_secret";
  providers::replicate::client client{cfg};
  client.cancel("abc", [](result<provider_snapshot>) {});
  BOOST_REQUIRE(server.accept_one());
  auto head = server.read_head();
  BOOST_TEST(head.rfind("POST /v1/predictions/abc/cancel HTTP/1.1\r\n", 0)
                 == 0u,
             head);
  BOOST_TEST(head.find("\r\nAuthorization: Bearer r8_secret\r\n")
                 != std::string::npos,
             head);
  BOOST_TEST(head.find("\r\nAccept: application/json\r\n") != std::string::npos,
             head);
  BOOST_TEST(head.find("\r\nUser-Agent: jobsync/") != std::string::npos, head);
  BOOST_TEST(head.find("\r\nContent-Length: 0\r\n") != std::string::npos, head);
  client.stop();
}

BOOST_FIXTURE_TEST_CASE(with_one_slot_slow_requests_run_one_after_another,
                        test::sim_fixture) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"slow","delay_ms":300,"count":3})");
  http_client client{http_client_config{1, 1 << 20, "test"}};
  collector c;
  c.expected = 3;
  for (int i = 0; i < 3; ++i) {
    auto req = get(base + "/predictions/" + id);
    req.headers = {{"Authorization", "Bearer r8_sim_token"}};
    client.submit(std::move(req), c.callback(i));
  }
  BOOST_REQUIRE(c.all.get_future().wait_for(test::answer_timeout)
                == std::future_status::ready);
  std::lock_guard<std::mutex> guard{c.mtx};
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(c.done[i].first == i);
    BOOST_TEST(c.done[i].second.status == 200);
    BOOST_TEST(to_string(c.done[i].second.error) == "none");
  }
  // Each transfer started only after the previous one had finished.
  for (int i = 1; i < 3; ++i)
    BOOST_TEST((c.done[i].second.started >= c.done[i - 1].second.finished));
  BOOST_TEST(request_count("get") == 3);
}

BOOST_AUTO_TEST_SUITE_END()
