// The connection limit: a client beyond it has its connection closed at
// once, instead of the server exhausting descriptors (which stops
// RESTinio's acceptor for good); once others close, new clients are served.

#include "tests/integration/http_api/api_fixture.hpp"

#include <algorithm>

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
    BOOST_REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr))
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
    while (!closed_by_server_ && poll(&p, 1, 0) == 1
           && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      auto n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) {
        closed_by_server_ = true;
        break;
      }
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_.find("HTTP/1.1 200") != std::string::npos
           && received_.find("\"status\"") != std::string::npos;
  }

  // True once the server closed the connection (after reading what came).
  bool closed_by_server() {
    answered();
    return closed_by_server_;
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
  bool closed_by_server_ = false;
};

} // namespace

BOOST_AUTO_TEST_SUITE(connection_limit)

BOOST_AUTO_TEST_CASE(
    clients_beyond_the_limit_are_closed_and_later_ones_served) {
  temp_dir dir;
  jobsyncd server{dir.path(), {"--set", "server.max_connections=20"}};
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < 30; ++i) {
    clients.push_back(std::make_unique<raw_client>(server.port()));
    clients.back()->send_healthz();
  }
  // Twenty are answered and stay open; the ten beyond the limit are
  // closed without an answer.
  auto settled = [&] {
    size_t answered = 0, closed = 0;
    for (auto& c : clients) {
      answered += c->answered() ? 1 : 0;
      closed += c->closed_by_server() ? 1 : 0;
    }
    return answered == 20 && closed == 10;
  };
  BOOST_REQUIRE(eventually(settled));
  for (auto& c : clients)
    BOOST_TEST(c->answered() != c->closed_by_server());
  // The held ones keep being served.
  auto& held = **std::find_if(clients.begin(), clients.end(),
                              [](auto& c) { return c->answered(); });
  held.forget_answer();
  held.send_healthz();
  BOOST_TEST(eventually([&] { return held.answered(); }));
  // Once they close, new clients get in.
  clients.clear();
  BOOST_TEST(eventually(
      [&] { return http_get(server.url("/healthz")).status == 200; }));
  std::vector<std::unique_ptr<raw_client>> later;
  for (int i = 0; i < 20; ++i) {
    later.push_back(std::make_unique<raw_client>(server.port()));
    later.back()->send_healthz();
  }
  BOOST_TEST(eventually([&] {
    // One closed because old connections were still closing tries again.
    for (auto& c : later)
      if (c->closed_by_server()) {
        c = std::make_unique<raw_client>(server.port());
        c->send_healthz();
      }
    return std::all_of(later.begin(), later.end(),
                       [](auto& c) { return c->answered(); });
  }));
}

BOOST_AUTO_TEST_CASE(a_limit_above_the_open_file_limit_is_lowered_at_start) {
  temp_dir dir;
  // No open-file limit can be this high (Linux caps fs.nr_open below it).
  jobsyncd server{dir.path(), {"--set", "server.max_connections=2147483647"}};
  BOOST_TEST(server.process()
                 .wait_for_line("server.max_connections lowered from "
                                "2147483647")
                 .has_value());
  BOOST_TEST(http_get(server.url("/healthz")).status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
