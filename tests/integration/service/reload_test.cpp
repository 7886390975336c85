// SIGHUP (the unit's ExecReload): the configuration file is read again,
// what reloads is applied at once, what needs a restart is logged, a broken
// file changes nothing; systemd hears RELOADING=1 and READY=1.

#include "tests/integration/sync_polling/provider_fixture.hpp"
#include "tests/support/notify_socket.hpp"
#include "tests/support/sse_client.hpp"

#include <csignal>
#include <fstream>

using namespace jobsync;
using namespace jobsync::test;
using namespace std::chrono_literals;

namespace {

struct reload_fixture : provider_fixture {
  std::string config_path = dir.path() + "/jobsync.yaml";

  void write_config(const std::string& text) {
    std::ofstream out{config_path, std::ios::trunc};
    out << text;
  }

  /// A configuration like config/test.yaml with these values.
  static std::string config_text(int interval, const std::string& host,
                                 const std::string& api_token = "",
                                 const std::string& more = "") {
    return "server:\n  host: \"" + host
           + "\"\n  port: 0\n  threads: 1\n"
             "  api_token: \""
           + api_token
           + "\"\n"
             "background:\n  job_status_polling:\n    enabled: true\n"
             "    interval_seconds: "
           + std::to_string(interval)
           + "\nproviders:\n  replicate:\n"
             "    request_timeout_seconds: 2\n"
             "    connect_timeout_seconds: 1\n"
             "    circuit_open_seconds: 1\n"
           + more;
  }

  /// The retry hint a new event stream starts with.
  std::optional<long long> retry_hint(const std::string& token) {
    sse_stream s{server->port(), "/api/events?access_token=" + token};
    if (!s.wait_head() || s.status() != 200)
      return std::nullopt;
    s.wait_for([&] { return s.parsed().retry.has_value(); });
    return s.parsed().retry;
  }

  void start_with_config(std::map<std::string, std::string> env) {
    std::vector<std::string> args{
        "--set", "providers.replicate.api_base_url=" + sim.api_base(), "--set",
        "providers.replicate.api_token=r8_sim_token"};
    server = std::make_unique<jobsyncd>(dir.path(), args, env, config_path);
  }

  int interval() {
    return poller()["interval_seconds"].GetInt();
  }

  bool logged(const std::string& text) {
    return times_logged(text) > 0;
  }

  size_t times_logged(const std::string& text) {
    auto out = server->process().output();
    size_t n = 0;
    for (auto i = out.find(text); i != std::string::npos;
         i = out.find(text, i + 1))
      ++n;
    return n;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(reload, reload_fixture)

BOOST_AUTO_TEST_CASE(sighup_applies_what_reloads_and_keeps_the_rest) {
  notify_socket sock{dir.path() + "/notify.sock"};
  write_config(config_text(1, "127.0.0.1"));
  start_with_config({{"NOTIFY_SOCKET", sock.path()}});
  BOOST_REQUIRE_MESSAGE(sock.wait_for("READY=1", 30s),
                        server->process().output());
  BOOST_TEST(interval() == 1);

  // A new interval (reloads) and a new host (needs a restart).
  write_config(config_text(3, "0.0.0.0"));
  server->process().signal(SIGHUP);
  auto reloading = sock.wait_for("RELOADING=1", 30s);
  BOOST_REQUIRE_MESSAGE(reloading, server->process().output());
  BOOST_TEST(reloading->find("MONOTONIC_USEC=") != std::string::npos);
  BOOST_REQUIRE(sock.wait_for("READY=1", 30s));
  BOOST_TEST(eventually([&] { return interval() == 3; }));
  BOOST_TEST(eventually([&] {
    return logged("background.job_status_polling.interval_seconds: 1 -> 3 "
                  "(applied)");
  }));
  BOOST_TEST(logged("server.host: 127.0.0.1 -> 0.0.0.0 (needs a restart"));
  // Still serving where it was.
  BOOST_TEST(api("GET", "/readyz").status == 200);

  // A broken file: nothing changes, and the log says why.
  write_config("background: [unclosed\n");
  server->process().signal(SIGHUP);
  BOOST_REQUIRE(sock.wait_for("RELOADING=1", 30s));
  BOOST_REQUIRE(sock.wait_for("READY=1", 30s));
  BOOST_TEST(eventually([&] {
    return logged("the configuration was not reloaded, the running one "
                  "stays");
  }));
  BOOST_TEST(interval() == 3);

  // A value out of its range: the same.
  write_config(config_text(0, "127.0.0.1"));
  server->process().signal(SIGHUP);
  BOOST_REQUIRE(sock.wait_for("READY=1", 30s));
  BOOST_TEST(eventually(
      [&] { return times_logged("the configuration was not reloaded") == 2; }));
  BOOST_TEST(interval() == 3);

  // The API token reloads: the API asks for it at once; so does the event
  // stream's retry hint.
  BOOST_TEST(retry_hint("").value_or(-1) == 3000);
  write_config(config_text(3, "127.0.0.1", "reloaded-token",
                           "events:\n  retry_ms: 250\n"));
  server->process().signal(SIGHUP);
  BOOST_REQUIRE(sock.wait_for("READY=1", 30s));
  BOOST_TEST(
      eventually([&] { return api("GET", "/api/cloud/jobs").status == 401; }));
  BOOST_TEST(logged("server.api_token: \"\" -> *** (applied)"));
  BOOST_TEST(http_get(server->url("/api/cloud/jobs"),
                      {{"Authorization", "Bearer reloaded-token"}})
                 .status
             == 200);
  BOOST_TEST(server->process().output().find("reloaded-token")
             == std::string::npos);
  BOOST_TEST(retry_hint("reloaded-token").value_or(-1) == 250);

  // SIGHUP does not stop the server; SIGTERM still does, cleanly.
  BOOST_TEST(server->stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
