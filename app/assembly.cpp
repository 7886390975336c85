#include "app/assembly.hpp"

#include "config/key_table.hpp"
#include "logging/log.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>
#include <unistd.h>

namespace jobsync::app {

namespace {

// How a person sets a key: its path and its environment variables (the
// key table knows the seed's names, such as REPLICATE_API_TOKEN).
std::string setting_of(const std::string& path) {
  std::string out = path;
  if (auto key = config::find_key(path)) {
    auto names = key->env_aliases;
    names.push_back(key->env_name());
    out += " (or";
    for (size_t i = 0; i < names.size(); ++i)
      out += (i == 0 ? " " : ", ") + names[i];
    out += ")";
  }
  return out;
}

// Says at start how jobsync will talk to a provider.
void report(const std::string& name, const config::provider_settings& p) {
  if (!p.enabled) {
    log::info("main", "provider {} is disabled in the configuration", name);
  } else if (p.api_token.empty()) {
    log::warning("main",
                 "provider {} has no API token (set {}): no polling, sync, "
                 "cancel or log fetches{}",
                 name, setting_of("providers." + name + ".api_token"),
                 p.webhook_secret.empty() ? ""
                                          : "; signed webhooks are still "
                                            "received");
  }
}

} // namespace

storage::store_options store_options_of(const config::settings& s) {
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

registry_config registry_config_of(const config::settings& s) {
  registry_config c;
  c.log_tail_bytes = s.storage.log_tail_bytes;
  c.webhook_retention = std::chrono::hours{s.webhooks.id_retention_hours};
  return c;
}

providers::provider_options
provider_options_of(const std::string& name,
                    const config::provider_settings& p) {
  providers::provider_options o;
  o.name = name;
  o.api_base_url = p.api_base_url;
  o.api_token = p.api_token;
  o.resource = p.resource;
  o.request_timeout = std::chrono::seconds{p.request_timeout_seconds};
  o.connect_timeout = std::chrono::seconds{p.connect_timeout_seconds};
  o.max_concurrency = static_cast<size_t>(p.max_concurrency);
  o.pricing.default_hardware = p.default_hardware;
  o.pricing.prices = p.hardware_prices;
  o.pricing.names = p.hardware_names;
  o.pricing.model_hardware = p.model_hardware;
  return o;
}

std::string replica_name_of(const config::settings& s) {
  if (!s.server.replica_name.empty())
    return s.server.replica_name;
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
    std::snprintf(host, sizeof(host), "jobsyncd");
  // Port 0 picks a port only once the server listens; the PID tells
  // replicas on one machine apart meanwhile.
  auto suffix = s.server.port != 0 ? std::to_string(s.server.port)
                                   : "pid" + std::to_string(getpid());
  auto name = std::string{host}.substr(0, 62 - suffix.size());
  return name + ":" + suffix;
}

leadership_config leadership_config_of(const config::settings& s) {
  leadership_config c;
  c.replica = replica_name_of(s);
  c.period = std::chrono::milliseconds{s.polling.interval_seconds * 500};
  return c;
}

poller_config poller_config_of(const config::settings& s,
                               const config::provider_settings& p) {
  poller_config c;
  c.replica = replica_name_of(s);
  auto decision = decide_polling(s.polling.enabled, p.webhook_url);
  c.enabled = decision.enabled;
  c.reason = std::move(decision.reason);
  c.interval = std::chrono::seconds{s.polling.interval_seconds};
  c.requests_per_minute = p.requests_per_minute;
  c.circuit_failure_threshold = p.circuit_failure_threshold;
  c.circuit_open = std::chrono::seconds{p.circuit_open_seconds};
  c.backoff_initial = std::chrono::seconds{p.backoff_initial_seconds};
  c.backoff_max = std::chrono::seconds{p.backoff_max_seconds};
  c.sweep = std::chrono::seconds{s.freshness.reconcile_interval_seconds};
  c.webhooks_configured = !p.webhook_url.empty();
  c.lost_after = std::chrono::seconds{p.lost_after_seconds};
  return c;
}

webhook_receiver_config webhook_config_of(const config::settings& s,
                                          const std::string& name,
                                          const config::provider_settings& p) {
  webhook_receiver_config c;
  c.secret = p.webhook_secret;
  c.secret_setting = setting_of("providers." + name + ".webhook_secret");
  c.allow_unsigned = s.webhooks.allow_unsigned;
  c.tolerance = std::chrono::seconds{s.webhooks.timestamp_tolerance_seconds};
  c.failed_signatures_per_minute = s.webhooks.failed_signatures_per_minute;
  return c;
}

sync_config sync_config_of(const config::settings& s) {
  sync_config c;
  c.active_deadline = std::chrono::seconds{s.sync.active_deadline_seconds};
  c.log_freshness = std::chrono::seconds{s.inline_progress.freshness_seconds};
  c.log_fetch_timeout
      = std::chrono::seconds{s.inline_progress.fetch_timeout_seconds};
  c.log_tail_bytes = s.storage.log_tail_bytes;
  return c;
}

sse_hub_config event_config_of(const config::settings& s,
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

result<wiring_config> wiring_config_of(const config::settings& s,
                                       const http::connection_budget& b) {
  wiring_config w;
  w.registry = registry_config_of(s);
  // Readers work on the CPU with LMDB (one per core) and wait on the
  // database with PostgreSQL (one per pooled connection but the writer's).
  w.readers = s.storage.backend == "postgres"
                  ? s.storage.postgres_pool_size - 1
                  : std::max(2u, std::thread::hardware_concurrency());
  for (const auto& [name, p] : s.providers) {
    report(name, p);
    auto made = providers::make_provider(provider_options_of(name, p));
    if (!made)
      return made.error();
    provider_wiring pw;
    pw.provider = std::move(*made);
    pw.enabled = p.enabled;
    pw.poller = poller_config_of(s, p);
    pw.sync_limit = static_cast<uint64_t>(p.sync_limit);
    if (!p.enabled)
      pw.unavailable = "jobsync does not talk to " + pw.provider->label()
                       + ": it is disabled in the configuration (providers."
                       + name + ".enabled)";
    else if (p.api_token.empty())
      pw.unavailable = "jobsync has no API token for " + pw.provider->label()
                       + ": set "
                       + setting_of("providers." + name + ".api_token");
    pw.webhooks = webhook_config_of(s, name, p);
    w.providers.push_back(std::move(pw));
  }
  w.sync = sync_config_of(s);
  w.liveness = liveness_config_of(s);
  w.events = event_config_of(s, b);
  if (s.freshness.reconcile_interval_seconds == 0)
    log::warning("main",
                 "background.reconcile_interval_seconds is 0: no reconcile "
                 "sweep; unless polling runs, a lost webhook leaves its job "
                 "wrong until someone syncs");
  else
    log::info("main", "every provider is reconciled at least every {} s",
              s.freshness.reconcile_interval_seconds);
  w.leadership = leadership_config_of(s);
  if (s.webhooks.allow_unsigned)
    log::warning("main",
                 "webhooks.allow_unsigned is on: unsigned webhook "
                 "deliveries are accepted from anyone who can reach this "
                 "server (development only)");
  return w;
}

http::server_config server_config_of(const config::settings& s,
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

staleness_rule staleness_of(const config::settings& s) {
  staleness_rule rule;
  rule.since = now_ms();
  int64_t seconds = s.freshness.stale_after_seconds;
  if (seconds == 0) {
    bool polling = false;
    for (const auto& [name, p] : s.providers)
      polling
          = polling || decide_polling(s.polling.enabled, p.webhook_url).enabled;
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

http::callback_config callback_config_of(const config::settings& s) {
  http::callback_config c;
  c.enabled = s.local.enabled;
  c.api_key = s.local.api_key;
  c.max_body_bytes = s.local.max_body_bytes;
  c.limits.max_image_bytes = s.local.max_image_bytes;
  if (!c.enabled)
    log::info("main", "local runs are disabled: POST /callback is not served");
  else if (c.api_key.empty())
    log::info("main",
              "providers.local.api_key is not set: POST /callback accepts "
              "reports from loopback clients only");
  return c;
}

std::optional<liveness_config> liveness_config_of(const config::settings& s) {
  if (!s.local.enabled)
    return std::nullopt;
  liveness_config c;
  c.replica = replica_name_of(s);
  c.silence_timeout = std::chrono::seconds{s.local.silence_timeout_seconds};
  // A job fails at most a quarter of the timeout late; a check is one read
  // of the active local jobs, cheap even every second.
  c.interval = std::clamp<std::chrono::milliseconds>(
      c.silence_timeout / 4, std::chrono::seconds{1}, std::chrono::seconds{60});
  return c;
}

http::api_config api_config_of(const config::settings& s) {
  http::api_config c;
  c.callbacks = callback_config_of(s);
  c.staleness = staleness_of(s);
  c.api_token = s.server.api_token;
  c.web.assets_dir = s.web.assets_dir;
  c.web.demo = s.web.demo;
  // A runtime interval obeys the same limits as the configured one.
  if (auto key
      = config::find_key("background.job_status_polling.interval_seconds");
      key && key->range) {
    c.poll_intervals.min = static_cast<int>(key->range->first);
    c.poll_intervals.max = static_cast<int>(key->range->second);
  }
  return c;
}

} // namespace jobsync::app
