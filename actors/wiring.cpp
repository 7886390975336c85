#include "actors/wiring.hpp"

#include "actors/error.hpp"
#include "actors/reader.hpp"
#include "actors/supervisor.hpp"
#include "logging/log.hpp"
#include "model/trainer_rules.hpp"
#include "storage/stored_preferences.hpp"

#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

namespace jobsync {

namespace {

// Asks each actor to exit and waits for all of them to be gone.
template <class Handle>
void stop_all(caf::actor_system& sys, const std::vector<Handle>& handles) {
  caf::scoped_actor waiter{sys};
  size_t alive = 0;
  for (const auto& h : handles) {
    if (!h)
      continue;
    waiter->monitor(h);
    caf::anon_send_exit(h, caf::exit_reason::user_shutdown);
    ++alive;
  }
  for (; alive > 0; --alive)
    waiter->receive([](const caf::down_msg&) {});
}

// The polling preferences stored for all providers and for each configured
// one.
result<polling_preferences>
stored_polling_preferences(const storage::job_store& store,
                           const std::vector<provider_wiring>& providers) {
  auto txn = store.begin_read();
  if (!txn)
    return txn.error();
  std::vector<std::string> names;
  for (const auto& p : providers)
    names.push_back(p.provider->name());
  return storage::read_polling_preferences(**txn, names);
}

} // namespace

result<void> wiring_config::validate() const {
  if (readers == 0)
    return failure{errc::bad_request, "the reader pool needs a reader"};
  for (const auto& p : providers) {
    if (!p.provider)
      return failure{errc::bad_request, "a provider is missing"};
    auto named = [&p](const failure& f) {
      return failure{f.code, p.provider->name() + ": " + f.detail};
    };
    if (auto ok = p.webhooks.validate(); !ok)
      return named(ok.error());
    if (!p.polled())
      continue;
    if (auto ok = p.poller.validate(); !ok)
      return named(ok.error());
    if (p.sync_limit == 0)
      return named(failure{errc::bad_request, "sync_limit must be positive"});
  }
  if (liveness)
    if (auto ok = liveness->validate(); !ok)
      return failure{ok.error().code, "local: " + ok.error().detail};
  if (auto ok = sync.validate(); !ok)
    return ok;
  if (auto ok = events.validate(); !ok)
    return ok;
  if (auto ok = leadership.validate(); !ok)
    return ok;
  return registry.validate();
}

result<std::unique_ptr<wiring>> wiring::start(caf::actor_system& sys,
                                              storage::job_store& store,
                                              wiring_config cfg) {
  if (auto ok = cfg.validate(); !ok)
    return ok.error();
  std::unique_ptr<wiring> w{new wiring{sys}};
  // The hub's replay ring starts at the store's event counter, with the
  // events a shared store kept, so a client that saw the last event (here,
  // before a restart, or on another replica) resumes without a resync.
  {
    auto txn = store.begin_read();
    if (!txn)
      return txn.error();
    auto backlog = (*txn)->recent_events(cfg.events.replay_buffer);
    if (!backlog)
      return backlog.error();
    cfg.events.last_event_id = backlog->last_event_id;
    cfg.events.backlog = std::move(backlog->events);
  }
  // Polling as set at runtime before this start wins over the
  // configuration where it says something.
  auto preferences = stored_polling_preferences(store, cfg.providers);
  if (!preferences)
    return preferences.error();
  for (auto& p : cfg.providers)
    p.poller.preference = preferences->of(p.provider->name());
  auto after = cfg.events.last_event_id;
  w->events_ = sys.spawn<caf::detached>(jobsync::sse_hub, cfg.events);
  // A shared store announces every replica's events, this one's included:
  // the hub takes them all from the feed, in id order, and the registry
  // sends none itself. Otherwise the registry is the hub's only source.
  auto hub = w->events_;
  auto feed = store.follow_events(
      after,
      storage::event_handlers{
          [hub](std::vector<job_changed> events) {
            caf::anon_send(hub, std::move(events));
          },
          [hub](uint64_t id) { caf::anon_send(hub, resync_atom::value, id); }});
  if (!feed)
    return feed.error();
  w->feed_ = std::move(*feed);
  auto sink = w->feed_ ? event_sink_actor{} : event_sink_actor{w->events_};
  // A store across the network blocks its callers for round trips: the
  // registry and the readers then get threads of their own instead of
  // holding the scheduler's few workers.
  if (store.remote()) {
    w->registry_ = sys.spawn<caf::detached>(jobsync::registry, &store,
                                            cfg.registry, sink);
    for (size_t i = 0; i < cfg.readers; ++i)
      w->readers_.push_back(sys.spawn<caf::detached>(jobsync::reader, &store));
  } else {
    w->registry_ = sys.spawn(jobsync::registry, &store, cfg.registry, sink);
    for (size_t i = 0; i < cfg.readers; ++i)
      w->readers_.push_back(sys.spawn(jobsync::reader, &store));
  }
  // Replicas sharing the store poll each provider from one of them: the
  // pollers then wait for the leadership actor's word.
  auto locks = store.claim_polling(cfg.leadership.replica);
  if (!locks)
    return locks.error();
  bool elected = *locks != nullptr;
  std::map<std::string, poller_actor> pollers;
  std::map<std::string, std::function<poller_actor()>> factories;
  std::map<std::string, provider_entry> entries;
  std::map<std::string, watched_poller> watched;
  for (const auto& p : cfg.providers) {
    const auto& name = p.provider->name();
    w->providers_.push_back(p.provider);
    entries[name]
        = provider_entry{{}, p.provider->label(), p.sync_limit, p.unavailable};
    if (!p.polled()) {
      // The health report tells why an enabled provider cannot be asked.
      if (p.enabled)
        watched[name] = watched_poller{{}, false, p.unavailable};
      continue;
    }
    auto registry = w->registry_;
    auto reader = w->readers_.front();
    auto shared = std::make_shared<shared_poller_config>();
    shared->value = p.poller;
    shared->value.elected = elected;
    w->poller_configs_[name] = shared;
    factories[name] = [&sys, shared, provider = p.provider, registry, reader] {
      poller_config pc;
      {
        std::lock_guard<std::mutex> guard{shared->mutex};
        pc = shared->value;
      }
      return sys.spawn(jobsync::poller, pc, provider, registry, reader);
    };
    auto poller = factories[name]();
    pollers[name] = poller;
    w->pollers_.push_back(poller);
    entries[name].poller = poller;
    auto on = p.poller.preference.enabled.value_or(p.poller.enabled);
    watched[name] = watched_poller{poller, on, {}};
    if (p.poller.preference.enabled)
      log::info("wiring",
                "{}: background polling {} (set at runtime and stored; the "
                "configuration says {}: {})",
                name, on ? "on" : "off", p.poller.enabled ? "on" : "off",
                p.poller.reason);
    else
      log::info("wiring", "{}: background polling {} ({})", name,
                on ? "on" : "off", p.poller.reason);
    if (p.poller.preference.interval_seconds)
      log::info("wiring", "{}: poll interval {} s (set at runtime and stored)",
                name, *p.poller.preference.interval_seconds);
  }
  w->sync_ = sys.spawn(jobsync::sync, cfg.sync, w->registry_,
                       w->readers_.front(), std::move(entries));
  std::map<std::string, poller_status_actor> checks;
  std::function<liveness_actor()> start_liveness;
  if (cfg.liveness) {
    start_liveness = [&sys, config = *cfg.liveness, registry = w->registry_,
                      reader = w->readers_.front()] {
      return sys.spawn(jobsync::liveness, config, registry, reader);
    };
    w->liveness_ = start_liveness();
    checks[std::string{local_provider}] = w->liveness_;
    log::info("wiring", "local: a running job silent for {} s fails",
              cfg.liveness->silence_timeout.count());
  }
  // Replicas sharing a database read the stored polling preferences again
  // as often as they claim the providers' locks, so that a setting made
  // through one replica reaches the one that polls.
  auto reread = elected ? cfg.leadership.period : std::chrono::milliseconds{0};
  w->overview_ = sys.spawn(jobsync::overview, w->registry_, w->readers_.front(),
                           std::move(watched), std::move(checks),
                           std::move(*preferences), reread);
  for (const auto& p : cfg.providers)
    w->webhooks_[p.provider->name()]
        = sys.spawn(jobsync::webhook_receiver, p.webhooks,
                    std::shared_ptr<const providers::provider>{p.provider},
                    w->registry_, w->sync_);
  std::vector<poller_directory_actor> directories{w->sync_, w->overview_};
  if (elected) {
    w->leadership_ = sys.spawn<caf::detached>(
        jobsync::leadership, cfg.leadership,
        std::shared_ptr<storage::leader_locks>{std::move(*locks)}, pollers);
    directories.push_back(w->leadership_);
  }
  // The supervisor starts a stopped poller or check again and tells whoever
  // holds the old one.
  std::map<std::string, supervised> watched_actors;
  for (const auto& [name, poller] : pollers)
    watched_actors["poller of " + name]
        = supervised{caf::actor_cast<caf::actor>(poller),
                     [name = name, factory = factories[name], directories] {
                       auto replacement = factory();
                       for (const auto& d : directories)
                         caf::anon_send(d, put_atom::value, provider_name{name},
                                        replacement);
                       return caf::actor_cast<caf::actor>(replacement);
                     }};
  if (w->liveness_)
    watched_actors["liveness check"] = supervised{
        caf::actor_cast<caf::actor>(w->liveness_),
        [start_liveness, overview = w->overview_] {
          auto replacement = start_liveness();
          caf::anon_send(overview, put_atom::value,
                         provider_name{std::string{local_provider}},
                         poller_status_actor{replacement});
          return caf::actor_cast<caf::actor>(replacement);
        }};
  w->supervisor_ = sys.spawn(jobsync::supervisor, std::move(watched_actors));
  return w;
}

wiring::~wiring() {
  shutdown();
}

void wiring::end_event_streams() {
  if (!events_)
    return;
  // The hub answers by its own drain deadline; this one only guards
  // against a hub that cannot answer at all.
  caf::scoped_actor self{sys_};
  self->request(events_, std::chrono::seconds(30), drain_atom::value)
      .receive(
          [](uint64_t n) {
            if (n > 0)
              log::info("wiring", "ended {} event streams", n);
          },
          [](caf::error& e) {
            log::warning("wiring", "ending the event streams failed: {}",
                         from_error(e).detail);
          });
}

std::vector<std::string>
wiring::reconfigure(const std::vector<provider_reload>& xs,
                    const sync_config& sync, const sse_hub_config& events) {
  std::vector<std::string> refused;
  if (auto ok = sync.validate(); !ok)
    refused.push_back("sync: " + ok.error().detail);
  else
    caf::anon_send(sync_, reload_atom::value, sync);
  if (auto ok = events.validate(); !ok)
    refused.push_back("events: " + ok.error().detail);
  else
    caf::anon_send(events_, reload_atom::value, events);
  for (const auto& x : xs) {
    if (auto ok = x.webhooks.validate(); !ok) {
      refused.push_back(x.name + " webhooks: " + ok.error().detail);
    } else if (auto r = webhooks_.find(x.name); r != webhooks_.end()) {
      caf::anon_send(r->second, reload_atom::value, x.webhooks);
    }
    for (const auto& p : providers_) {
      if (p->name() != x.name)
        continue;
      // A provider that gains or loses its token gains or loses its
      // poller: that takes a restart.
      if (p->can_ask() != !x.api_token.empty())
        refused.push_back("providers." + x.name
                          + ".api_token: a provider starts or stops being "
                            "asked only at a restart");
      else if (p->can_ask())
        p->replace_token(x.api_token);
    }
    auto shared = poller_configs_.find(x.name);
    if (shared == poller_configs_.end())
      continue; // no poller
    if (auto ok = x.poller.validate(); !ok) {
      refused.push_back(x.name + " poller: " + ok.error().detail);
      continue;
    }
    {
      std::lock_guard<std::mutex> guard{shared->second->mutex};
      // A restarted poller starts from the preference stored at start; the
      // overview hands it the current one.
      auto preference = shared->second->value.preference;
      auto elected = shared->second->value.elected;
      shared->second->value = x.poller;
      shared->second->value.preference = preference;
      shared->second->value.elected = elected;
    }
    caf::anon_send(overview_, reload_atom::value, provider_name{x.name},
                   x.poller);
  }
  return refused;
}

void wiring::shutdown() {
  if (stopped_)
    return;
  stopped_ = true;
  // Producers of work first: the supervisor (so nothing restarts), the
  // sync actor, the pollers; then the readers; the writer last.
  stop_all(sys_, std::vector<supervisor_actor>{supervisor_});
  feed_.reset();
  // The webhook receivers ask the sync actor and feed the registry.
  std::vector<webhook_receiver_actor> receivers;
  for (const auto& [name, r] : webhooks_)
    receivers.push_back(r);
  stop_all(sys_, receivers);
  stop_all(sys_, std::vector<sync_actor>{sync_});
  stop_all(sys_, std::vector<overview_actor>{overview_});
  // Its database session ends with it, so another replica takes over the
  // providers this one polled at once.
  stop_all(sys_, std::vector<leadership_actor>{leadership_});
  stop_all(sys_, pollers_);
  if (liveness_)
    stop_all(sys_, std::vector<liveness_actor>{liveness_});
  // The hub ends the streams still open; the registry may still publish to
  // it while committing what is staged, which is dropped.
  stop_all(sys_, std::vector<sse_hub_actor>{events_});
  stop_all(sys_, readers_);
  // The registry goes last: an exit message queues behind the requests
  // already in its mailbox, so everything accepted gets committed.
  stop_all(sys_, std::vector<registry_actor>{registry_});
  log::info("wiring", "all actors stopped");
}

} // namespace jobsync
