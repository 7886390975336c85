// jobsyncd: config -> storage -> actors -> http -> wait for a signal ->
// ordered shutdown.

#include "actors/watchdog.hpp"
#include "app/assembly.hpp"
#include "config/loader.hpp"
#include "config/render.hpp"
#include "config/usage.hpp"
#include "http/api.hpp"
#include "http/connection_budget.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "logging/log.hpp"
#include "service/sd_notify.hpp"
#include "storage/folder_lock.hpp"
#include "storage/job_store.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <malloc.h>
#include <pthread.h>
#include <thread>

using namespace jobsync;

namespace {

// 2: nothing can be done without the operator: the configuration is wrong,
// or another jobsyncd holds the data folder.
constexpr int exit_config_error = 2;
constexpr int exit_folder_in_use = 2;
constexpr int exit_startup_failure = 1;

// Signals are taken by sigwait in main; every thread created later inherits
// this mask, so no thread is interrupted by them.
sigset_t block_shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void configure_caf(caf::actor_system_config& cfg) {
  // CAF defaults to max(cores, 4) workers and work stealing, which polls;
  // a mostly idle server is better served by as many workers as cores and
  // the sharing policy (a condition variable).
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", static_cast<size_t>(cores));
  cfg.set("scheduler.policy", caf::atom("sharing"));
}

log::level log_level(const std::string& name) {
  if (name == "debug")
    return log::level::debug;
  if (name == "warning")
    return log::level::warning;
  if (name == "error")
    return log::level::error;
  return log::level::info;
}

// Responses of tens of kilobytes are built on one thread and freed on
// another; with glibc's defaults the heap top shrinks and grows back all
// the time, and the page faults cost a list page about a fifth of its
// throughput (bench/run.sh). Keeping a few MiB of slack stops that.
void tune_allocator() {
  mallopt(M_TOP_PAD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

// Under systemd (`Type=notify`) a watchdog actor reports readiness, status
// and liveness; elsewhere nothing is spawned.
watchdog_actor start_watchdog(caf::actor_system& sys,
                              const service::notifier& notifier,
                              const readiness_actor& readiness,
                              std::string serving) {
  if (!notifier.enabled())
    return {};
  watchdog_config cfg;
  cfg.notify = [notifier](const std::string& state) { notifier.send(state); };
  cfg.watchdog_timeout = notifier.watchdog_timeout();
  cfg.serving = std::move(serving);
  if (auto ok = cfg.validate(); !ok) {
    log::warning("main", "not reporting to systemd: {}", ok.error().detail);
    return {};
  }
  log::info("main", "reporting to systemd at {}{}", notifier.socket_path(),
            cfg.watchdog_timeout
                ? " with watchdog pings every "
                      + std::to_string(cfg.watchdog_timeout->count() / 2000)
                      + " ms"
                : "");
  return sys.spawn(watchdog, std::move(cfg), readiness);
}

int run(const config::settings& s) {
  auto signals = block_shutdown_signals();
  auto notifier = service::notifier::from_environment(
      [](const char* name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name))
          return std::string{v};
        return std::nullopt;
      });
  tune_allocator();
  log::set_threshold(log_level(s.logging.level));
  // One server per LMDB folder: taken before LMDB is opened, released only
  // after it is closed (the lock outlives the store in this scope).
  // Replicas on PostgreSQL share their database by design.
  std::optional<storage::folder_lock> folder;
  if (s.storage.backend != "postgres") {
    auto locked = storage::folder_lock::acquire(s.storage.path);
    if (!locked) {
      log::error("main", "{}", locked.error().detail);
      return locked.error().code == errc::unavailable ? exit_folder_in_use
                                                      : exit_startup_failure;
    }
    folder = std::move(*locked);
  }
  auto store = storage::job_store::open(app::store_options_of(s));
  if (!store) {
    log::error("main", "cannot open storage: {}", store.error().detail);
    return exit_startup_failure;
  }
  auto open_files = http::raise_open_file_limit();
  auto budget = http::plan_connections(open_files, s.server.max_connections,
                                       s.events.max_connections);
  for (const auto& w : budget.warnings)
    log::warning("main", "{}", w);
  log::info("main",
            "open-file limit {}: up to {} connections, {} of them "
            "event streams",
            open_files, budget.connections, budget.event_streams);
  auto actor_cfg = app::wiring_config_of(s, budget);
  if (!actor_cfg) {
    log::error("main", "cannot start actors: {}", actor_cfg.error().detail);
    return exit_startup_failure;
  }
  caf::actor_system_config caf_cfg;
  configure_caf(caf_cfg);
  caf::actor_system sys{caf_cfg};
  auto actors = wiring::start(sys, **store, std::move(*actor_cfg));
  if (!actors) {
    log::error("main", "cannot start actors: {}", actors.error().detail);
    return exit_startup_failure;
  }
  if (!s.web.assets_dir.empty())
    log::info("main", "serving the dashboard from {}", s.web.assets_dir);
  auto connections = std::make_shared<http::connection_counters>();
  auto api = std::make_shared<const http::api>(
      sys, app::api_config_of(s),
      http::api_actors{(*actors)->registry(), (*actors)->readers(),
                       (*actors)->sync(), (*actors)->overview(),
                       (*actors)->webhooks(), (*actors)->events()},
      connections);
  auto server_cfg = app::server_config_of(s, budget);
  server_cfg.counters = connections;
  // Every closed connection is reported to the SSE hub, which ends the
  // event stream it carried (if any) at once.
  server_cfg.on_connection_closed = [hub = (*actors)->events()](uint64_t id) {
    caf::anon_send(hub, unsubscribe_atom::value, id);
  };
  auto srv = http::server::start(std::move(server_cfg), http::make_routes(api));
  if (!srv) {
    log::error("main", "{}", srv.error().detail);
    (*actors)->shutdown();
    return exit_startup_failure;
  }
  // Tests and scripts read this line to find the bound port.
  std::printf("listening on %s:%u\n", s.server.host.c_str(),
              static_cast<unsigned>((*srv)->port()));
  std::fflush(stdout);
  log::info("main", "jobsyncd {} serving {} with data in {}", JOBSYNC_VERSION,
            s.server.host + ":" + std::to_string((*srv)->port()),
            (*store)->describe());
  auto dog
      = start_watchdog(sys, notifier, (*actors)->overview(),
                       s.server.host + ":" + std::to_string((*srv)->port()));
  int sig = 0;
  sigwait(&signals, &sig);
  log::info("main", "received {}, shutting down", strsignal(sig));
  notifier.send("STOPPING=1\nSTATUS=Shutting down");
  if (dog)
    caf::anon_send_exit(dog, caf::exit_reason::user_shutdown);
  // Order matters: event streams end while the server can still write
  // their last chunk, then no new requests, then every actor exits (the
  // registry last, committing what it accepted), then RESTinio's handles
  // die, then the store closes.
  (*actors)->end_event_streams();
  (*srv)->stop();
  (*actors)->shutdown();
  sys.await_all_actors_done();
  srv->reset();
  log::info("main", "stopped cleanly");
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  auto loaded
      = config::parse_command_line(argc, argv, config::process_environment());
  if (!loaded) {
    std::fprintf(stderr, "jobsyncd: %s\n", loaded.error().detail.c_str());
    return exit_config_error;
  }
  switch (loaded->action) {
  case config::action::help:
    std::cout << config::usage_text("jobsyncd");
    return 0;
  case config::action::version:
    std::cout << "jobsyncd " << JOBSYNC_VERSION << "\n";
    return 0;
  case config::action::print_config:
    std::cout << config::render_yaml(loaded->settings, true);
    return 0;
  case config::action::run:
    break;
  }
  for (const auto& w : loaded->warnings)
    log::warning("config", "{}", w);
  return run(loaded->settings);
}
