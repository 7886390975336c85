// The connection limit: clients beyond it wait in the listen queue and are
// served once others close, instead of exhausting descriptors (which stops
// RESTinio's acceptor for good).

#include "tests/integration/http_api/api_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace jobsync;
using namespace jobsync::test;

namespace {

// A keep-alive client on a raw socket, so that the test decides when the
// connection closes.
class raw_client {
public:
  explicit raw_client(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    BOOST_REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Completes through the listen queue even before the server accepts.
    BOOST_REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr),
                          sizeof(addr))
                  == 0);
  }

  ~raw_client() {
    close();
  }

  void send_healthz() {
    std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    BOOST_REQUIRE(::send(fd_, req.data(), req.size(), MSG_NOSIGNAL)
                  == static_cast<ssize_t>(req.size()));
  }

  // Reads what has arrived without blocking; true once a whole response
  // to /healthz (status line to body) is in.
  bool answered() {
    char buf[4096];
    pollfd p{fd_, POLLIN, 0};
    while (poll(&p, 1, 0) == 1 && (p.revents & POLLIN)) {
      auto n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0)
        break;
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_.find("HTTP/1.1 200") != std::string::npos
           && received_.find("\"status\"") != std::string::npos;
  }

  void forget_answer() {
    received_.clear();
  }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

private:
  int fd_;
  std::string received_;
};

size_t count_answered(std::vector<std::unique_ptr<raw_client>>& clients) {
  size_t n = 0;
  for (auto& c : clients)
    n += c->answered() ? 1 : 0;
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(connection_limit)

BOOST_AUTO_TEST_CASE(clients_beyond_the_limit_wait_and_are_served_later) {
  temp_dir dir;
  jobsyncd server{dir.path(), {"--set", "server.max_connections=20"}};
  std::vector<std::unique_ptr<raw_client>> held;
  for (int i = 0; i < 30; ++i) {
    held.push_back(std::make_unique<raw_client>(server.port()));
    held.back()->send_healthz();
  }
  // Twenty connections are accepted and answered; they stay open.
  BOOST_REQUIRE(eventually([&] { return count_answered(held) >= 20; }));
  // More round trips on an accepted connection: the server is busy
  // serving, yet the ten beyond the limit are never accepted meanwhile.
  for (int round = 0; round < 5; ++round) {
    held.front()->forget_answer();
    held.front()->send_healthz();
    BOOST_REQUIRE(eventually([&] { return held.front()->answered(); }));
  }
  BOOST_TEST(count_answered(held) == 20u);
  // Closing the accepted ones lets the waiting ones in. (Sorted first:
  // once the first one closes, a waiting one may be answered at once.)
  std::vector<std::unique_ptr<raw_client>> accepted, waiting;
  for (auto& c : held)
    (c->answered() ? accepted : waiting).push_back(std::move(c));
  BOOST_REQUIRE_EQUAL(waiting.size(), 10u);
  for (auto& c : accepted)
    c->close();
  BOOST_TEST(eventually([&] { return count_answered(waiting) == 10u; }));
  // And the server keeps accepting new clients.
  BOOST_TEST(http_get(server.url("/healthz")).status == 200);
}

BOOST_AUTO_TEST_CASE(a_limit_above_the_open_file_limit_is_lowered_at_start) {
  temp_dir dir;
  // No open-file limit can be this high (Linux caps fs.nr_open below it).
  jobsyncd server{dir.path(),
                  {"--set", "server.max_connections=2147483647"}};
  BOOST_TEST(server.process()
               .wait_for_line("server.max_connections lowered from "
                              "2147483647")
               .has_value());
  BOOST_TEST(http_get(server.url("/healthz")).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
