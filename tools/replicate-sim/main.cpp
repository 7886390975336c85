// replicate-sim: a Replicate HTTP API emulator with fault injection.
// See README.md and `replicate-sim --help`.

#include "logging/log.hpp"
#include "model/standard_webhooks.hpp"
#include "tools/replicate-sim/admin_api.hpp"
#include "tools/replicate-sim/delay_queue.hpp"
#include "tools/replicate-sim/dispatcher.hpp"
#include "tools/replicate-sim/http_server.hpp"
#include "tools/replicate-sim/options.hpp"
#include "tools/replicate-sim/replicate_api.hpp"
#include "tools/replicate-sim/simulator.hpp"
#include "tools/replicate-sim/ticker.hpp"

#include <curl/curl.h>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <pthread.h>

using namespace jobsync;
using namespace jobsync::sim;

int main(int argc, char** argv) {
  auto parsed = parse_options(argc, argv);
  if (parsed.help) {
    std::cout << help_text();
    return 0;
  }
  if (!parsed.options) {
    std::cerr << "replicate-sim: " << parsed.error << "\n";
    return 2;
  }
  auto& o = *parsed.options;
  if (o.verbose)
    log::set_threshold(log::level::debug);
  catalog models{o.models};
  if (!models.error().empty()) {
    std::cerr << "replicate-sim: --model: " << models.error() << "\n";
    return 2;
  }
  auto key = decode_webhook_secret(o.webhook_secret);
  if (!key) {
    std::cerr << "replicate-sim: --webhook-secret is not valid\n";
    return 2;
  }
  // Every thread created from here on inherits the mask, so the signals
  // reach only the sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  virtual_clock clock{o.start_time.value_or(wall_now()), o.speed};
  webhook_sender sender{*key, o.webhook};
  sender.start();
  simulator sim{o.sim, std::move(models), clock, sender};
  fault_table faults{o.sim.seed};
  request_stats stats;
  rate_limits limits;
  replicate_api api{
      {o.tokens, o.webhook_secret, o.sim.username, o.enforce_rate_limits},
      sim,
      faults,
      stats,
      limits};
  admin_api admin{sim, faults, stats, sender};
  dispatcher app{api, admin, o.verbose};
  delay_queue delays;
  delays.start();
  http_server server{{o.host, o.port, o.threads},
                     [&app](const http_request& r) { return app.handle(r); },
                     delays};
  uint16_t port = 0;
  try {
    port = server.start([&](uint16_t bound) {
      sim.set_base_url(o.public_url.empty()
                           ? "http://" + o.host + ":" + std::to_string(bound)
                                 + "/v1"
                           : o.public_url);
    });
  } catch (const std::exception& e) {
    std::cerr << "replicate-sim: cannot listen on " << o.host << ":" << o.port
              << ": " << e.what() << "\n";
    delays.stop();
    sender.stop();
    return 1;
  }
  if (o.jobs > 0)
    sim.seed_jobs(o.jobs, o.jobs_spread_seconds);
  ticker webhook_ticker{std::chrono::milliseconds{o.tick_ms},
                        [&sim] { sim.poll_webhooks(); }};
  webhook_ticker.start();
  log::info("replicate-sim", "seed {}, speed {}, {} jobs, base {}", o.sim.seed,
            o.speed, sim.size(), sim.base_url());
  std::printf("listening on %s:%u\n", o.host.c_str(),
              static_cast<unsigned>(port));
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  log::info("replicate-sim", "signal {}, stopping", sig);
  // Order matters: drop held replies while the server still lives, then
  // stop the server, then the webhook thread.
  webhook_ticker.stop();
  delays.stop();
  server.stop();
  sender.stop();
  return 0;
}
