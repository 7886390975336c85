// The floor the benches measure jobsyncd against: jobsyncd's own HTTP
// server (http::server, with jobsyncd's default server settings) whose
// handlers do no work. It is a separate bench binary, so no jobsyncd ever
// serves these routes.
//   jobsync-bench-floor --body-file <file> [--port P]
// - GET /floor/body answers the file's bytes (a page of the list, saved by
//   bench/run.sh, so both sides ship the same bytes);
// - POST /api/webhooks/:provider answers what jobsyncd answers for a
//   received delivery, without verifying, parsing or storing it.
// Prints "listening on 127.0.0.1:<port>" like jobsyncd.

#include "app/assembly.hpp"
#include "http/connection_budget.hpp"
#include "http/server.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

using namespace jobsync;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, {}};
}

http::route no_work(std::string method, std::string pattern, std::string body) {
  return {std::move(method), std::move(pattern),
          [body = std::move(body)](const http::exchange_ptr& ex) {
            http::response r;
            r.body = body;
            ex->respond(std::move(r));
          }};
}

} // namespace

int main(int argc, char** argv) {
  config::settings s;
  s.server.host = "127.0.0.1";
  s.server.port = 0;
  std::string body_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--body-file")
      body_file = argv[i + 1];
    else if (flag == "--port")
      s.server.port = static_cast<uint16_t>(std::stoi(argv[i + 1]));
  }
  if (body_file.empty()) {
    std::fprintf(stderr, "usage: %s --body-file <file> [--port P]\n", argv[0]);
    return 2;
  }
  // Blocked before the I/O threads start, so that they inherit the mask
  // and the signal waits for sigwait below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  auto budget = http::plan_connections(http::raise_open_file_limit(),
                                       s.server.max_connections,
                                       s.events.max_connections);
  // The same bytes as jobsyncd's answer to a new, received delivery.
  std::string received = R"({"status":"received","job_id":"floor-0000000)"
                         R"(00000000000000","job_status":"running",)"
                         R"("created":false,"changed":true})";
  auto started = http::server::start(
      app::server_config_of(s, budget),
      {no_work("GET", "/floor/body", read_file(body_file)),
       no_work("POST", "/api/webhooks/:provider", received)});
  if (!started) {
    std::fprintf(stderr, "%s\n", started.error().detail.c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%u\n", (*started)->port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&stop, &signal);
  (*started)->stop();
  return 0;
}
