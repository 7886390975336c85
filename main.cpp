// jobsyncd: config -> storage -> actors -> http -> wait for a signal ->
// ordered shutdown.

#include "actors/watchdog.hpp"
#include "actors/wiring.hpp"
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
#include <tuple>

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

providers::replicate_client_config
make_client_config(const config::provider_settings& p) {
  providers::replicate_client_config c;
  c.name = p.name;
  c.api_base_url = p.api_base_url;
  c.api_token = p.api_token;
  c.resource = p.resource;
  c.request_timeout = std::chrono::seconds{p.request_timeout_seconds};
  c.connect_timeout = std::chrono::seconds{p.connect_timeout_seconds};
  c.max_concurrency = static_cast<size_t>(p.max_concurrency);
  c.pricing.default_hardware = p.default_hardware;
  c.pricing.hardware_prices = p.hardware_prices;
  c.pricing.hardware_names = p.hardware_names;
  c.pricing.model_hardware = p.model_hardware;
  return c;
}

// The seed's rule: background polling is on unless the provider receives
// webhooks; `true` / `false` in the configuration decide outright.
std::pair<bool, std::string>
polling_decision(const config::settings& s,
                 const config::provider_settings& p) {
  switch (s.polling.enabled) {
  case config::polling_mode::on:
    return {true, "enabled in the configuration"};
  case config::polling_mode::off:
    return {false, "disabled in the configuration"};
  case config::polling_mode::automatic:
    break;
  }
  if (!p.webhook_url.empty())
    return {false, "auto: webhooks are configured (" + p.webhook_url + ")"};
  return {true, "auto: no webhook_url is configured"};
}

// When a job shows as stale: after stale_after_seconds, or three sweep
// intervals (the poll interval when polling is on, else the reconcile
// interval); jobs stored without a confirmation count from now.
staleness_rule make_staleness(const config::settings& s) {
  staleness_rule rule;
  rule.since = now_ms();
  int64_t seconds = s.freshness.stale_after_seconds;
  if (seconds == 0) {
    bool polling = polling_decision(s, s.replicate).first;
    seconds = 3
              * int64_t{polling ? s.polling.interval_seconds
                                : s.freshness.reconcile_interval_seconds};
  }
  rule.after_ms = seconds * 1000;
  if (seconds == 0)
    log::info("main", "jobs are never marked stale: polling and the "
                      "reconcile sweep are both off");
  else
    log::info("main",
              "an active job its provider has not confirmed for {} s is "
              "marked stale",
              seconds);
  return rule;
}

storage::store_options make_store_options(const config::settings& s) {
  storage::store_options o;
  o.backend = s.storage.backend == "postgres" ? storage::backend::postgres
                                              : storage::backend::lmdb;
  o.path = s.storage.path;
  o.map_size_bytes = s.storage.map_size_mb << 20;
  o.postgres.url = s.storage.postgres_url;
  o.postgres.password_file = s.storage.postgres_password_file;
  o.postgres.pool_size = s.storage.postgres_pool_size;
  // The database keeps what one hub's ring holds, so a replica that starts
  // (or reconnects) can fill its ring from it.
  o.postgres.event_retention = s.events.replay_buffer;
  return o;
}

sse_hub_config make_event_config(const config::settings& s,
                                 const http::connection_budget& b) {
  sse_hub_config c;
  c.heartbeat = std::chrono::seconds{s.events.heartbeat_seconds};
  c.replay_buffer = s.events.replay_buffer;
  c.max_connections = b.event_streams;
  c.max_connections_per_address = s.events.max_connections_per_address;
  c.max_buffered_bytes = s.events.max_buffered_bytes;
  c.retry = std::chrono::milliseconds{s.events.retry_ms};
  return c;
}

wiring_config make_wiring_config(const config::settings& s,
                                 const http::connection_budget& b) {
  wiring_config w;
  w.registry.log_tail_bytes = s.storage.log_tail_bytes;
  w.registry.webhook_retention
      = std::chrono::hours{s.webhooks.id_retention_hours};
  // Readers work on the CPU with LMDB (one per core) and wait on the
  // database with PostgreSQL (one per pooled connection but the writer's).
  w.readers = s.storage.backend == "postgres"
                  ? s.storage.postgres_pool_size - 1
                  : std::max(2u, std::thread::hardware_concurrency());
  const auto& p = s.replicate;
  if (!p.enabled) {
    log::info("main", "provider {} is disabled in the configuration", p.name);
  } else if (p.api_token.empty()) {
    log::warning("main",
                 "provider {} has no API token (set "
                 "REPLICATE_API_TOKEN): no polling, sync, cancel or log "
                 "fetches{}",
                 p.name,
                 p.webhook_secret.empty() ? ""
                                          : "; signed webhooks are still "
                                            "received");
  } else {
    poller_config pc;
    pc.provider = p.name;
    pc.label = "Replicate";
    std::tie(pc.enabled, pc.reason) = polling_decision(s, p);
    pc.interval = std::chrono::seconds{s.polling.interval_seconds};
    pc.requests_per_minute = p.requests_per_minute;
    pc.circuit_failure_threshold = p.circuit_failure_threshold;
    pc.circuit_open = std::chrono::seconds{p.circuit_open_seconds};
    pc.backoff_initial = std::chrono::seconds{p.backoff_initial_seconds};
    pc.backoff_max = std::chrono::seconds{p.backoff_max_seconds};
    pc.client = make_client_config(p);
    w.pollers.push_back(std::move(pc));
  }
  w.sync.sync_limit = static_cast<uint64_t>(p.sync_limit);
  w.sync.active_deadline = std::chrono::seconds{s.sync.active_deadline_seconds};
  w.sync.log_freshness
      = std::chrono::seconds{s.inline_progress.freshness_seconds};
  w.sync.log_fetch_timeout
      = std::chrono::seconds{s.inline_progress.fetch_timeout_seconds};
  w.sync.log_tail_bytes = s.storage.log_tail_bytes;
  w.events = make_event_config(s, b);
  w.webhooks.provider = p.name;
  w.webhooks.secret = p.webhook_secret;
  w.webhooks.allow_unsigned = s.webhooks.allow_unsigned;
  w.webhooks.tolerance
      = std::chrono::seconds{s.webhooks.timestamp_tolerance_seconds};
  w.webhooks.failed_signatures_per_minute
      = s.webhooks.failed_signatures_per_minute;
  w.webhooks.pricing = make_client_config(p).pricing;
  if (s.webhooks.allow_unsigned)
    log::warning("main",
                 "webhooks.allow_unsigned is on: unsigned webhook "
                 "deliveries are accepted from anyone who can reach this "
                 "server (development only)");
  return w;
}

http::server_config make_server_config(const config::settings& s,
                                       const http::connection_budget& b) {
  http::server_config c;
  c.max_connections = b.connections;
  c.host = s.server.host;
  c.port = s.server.port;
  c.threads = s.server.threads;
  c.max_body_bytes = s.server.max_body_bytes;
  c.request_timeout = std::chrono::seconds{s.server.request_timeout_seconds};
  return c;
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
  auto store = storage::job_store::open(make_store_options(s));
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
  caf::actor_system_config caf_cfg;
  configure_caf(caf_cfg);
  caf::actor_system sys{caf_cfg};
  auto actors = wiring::start(sys, **store, make_wiring_config(s, budget));
  if (!actors) {
    log::error("main", "cannot start actors: {}", actors.error().detail);
    return exit_startup_failure;
  }
  http::api_config api_cfg;
  api_cfg.api_token = s.server.api_token;
  api_cfg.web.assets_dir = s.web.assets_dir;
  api_cfg.web.demo = s.web.demo;
  api_cfg.staleness = make_staleness(s);
  api_cfg.callbacks.enabled = s.local.enabled;
  api_cfg.callbacks.api_key = s.local.api_key;
  api_cfg.callbacks.max_body_bytes = s.local.max_body_bytes;
  api_cfg.callbacks.limits.max_image_bytes = s.local.max_image_bytes;
  if (!s.local.enabled)
    log::info("main", "local runs are disabled: POST /callback is not served");
  else if (s.local.api_key.empty())
    log::info("main",
              "providers.local.api_key is not set: POST /callback accepts "
              "reports from loopback clients only");
  if (!s.web.assets_dir.empty())
    log::info("main", "serving the dashboard from {}", s.web.assets_dir);
  auto connections = std::make_shared<http::connection_counters>();
  auto api = std::make_shared<const http::api>(
      sys, api_cfg,
      http::api_actors{(*actors)->registry(), (*actors)->readers(),
                       (*actors)->sync(), (*actors)->webhooks(),
                       (*actors)->events()},
      connections);
  auto server_cfg = make_server_config(s, budget);
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
      = start_watchdog(sys, notifier, (*actors)->sync(),
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
    std::fprintf(stderr, "jobsyncd: %s\n", loaded.error().c_str());
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
