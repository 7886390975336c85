#include "actors/overview.hpp"

#include "actors/error.hpp"
#include "actors/gather.hpp"
#include "actors/poller.hpp"
#include "logging/log.hpp"

#include <algorithm>

namespace jobsync {

void overview_state::init(registry_actor registry, reader_actor reader,
                          std::map<std::string, watched_poller> pollers,
                          std::map<std::string, poller_status_actor> checks,
                          polling_preferences preferences,
                          std::chrono::milliseconds reread_period) {
  registry_ = std::move(registry);
  reader_ = std::move(reader);
  pollers_ = std::move(pollers);
  checks_ = std::move(checks);
  preferences_ = std::move(preferences);
  reread_period_ = reread_period;
  if (reread_period_.count() > 0)
    self_->delayed_send(self_, reread_period_, tick_atom::value);
}

void overview_state::reread_preferences() {
  // The providers read at start: every one the overview knows and every
  // one with a record of its own (a record for a provider without a poller
  // here must not look like a change at every read).
  std::vector<std::string> names;
  for (const auto& [name, w] : pollers_)
    names.push_back(name);
  for (const auto& [name, p] : preferences_.providers)
    if (!pollers_.count(name))
      names.push_back(name);
  // Awaited, as a setting's store is: one made here meanwhile is neither
  // overtaken by this older read nor read back half-applied.
  self_->request(reader_, caf::infinite, polling_atom::value, std::move(names))
      .await(
          [this](polling_preferences& stored) {
            if (stored == preferences_)
              return;
            log::info("overview",
                      "a polling setting made through another replica "
                      "applies here now");
            preferences_ = std::move(stored);
            hand_out({}, [](polling_setting_outcome&) {});
          },
          [](caf::error& e) {
            log::warning("overview",
                         "cannot read the stored polling settings: {}",
                         from_error(e).detail);
          });
  self_->delayed_send(self_, reread_period_, tick_atom::value);
}

std::vector<std::string> overview_state::polled_providers() const {
  std::vector<std::string> names;
  for (const auto& [name, w] : pollers_)
    if (w.poller)
      names.push_back(name);
  return names;
}

void overview_state::hand_out(
    polling_setting_outcome out,
    std::function<void(polling_setting_outcome&)> done) {
  gather<poller_status>(
      polled_providers(), out,
      [this](const std::string& name) {
        return self_->request(pollers_.at(name).poller, caf::infinite,
                              polling_atom::value, preferences_.of(name));
      },
      [this](polling_setting_outcome& out, poller_status& st) {
        out.is_active = out.is_active || st.enabled;
        // Readiness no longer waits for a poller turned off.
        auto i = pollers_.find(st.provider);
        if (i != pollers_.end() && !st.enabled)
          i->second.polling = false;
      },
      [](polling_setting_outcome&, caf::error&) {}, std::move(done));
}

void overview_state::replace(const provider_name& provider,
                             poller_actor poller) {
  auto i = pollers_.find(provider.value);
  if (i == pollers_.end())
    return;
  i->second.poller = std::move(poller);
  if (!i->second.poller)
    return;
  // The replacement starts from the preference stored when jobsyncd
  // started; a later one is handed over here.
  self_
      ->request(i->second.poller, caf::infinite, polling_atom::value,
                preferences_.of(provider.value))
      .then([](poller_status&) {}, [](caf::error&) {});
}

void overview_state::replace_check(const provider_name& provider,
                                   poller_status_actor check) {
  auto i = checks_.find(provider.value);
  if (i != checks_.end())
    i->second = std::move(check);
}

void overview_state::reconfigure(const provider_name& provider,
                                 poller_config config) {
  auto i = pollers_.find(provider.value);
  if (i == pollers_.end() || !i->second.poller)
    return;
  self_
      ->request(i->second.poller, caf::infinite, reload_atom::value,
                std::move(config))
      .then(
          [this](poller_status& st) {
            // Readiness waits for no first cycle of a poller turned off.
            auto w = pollers_.find(st.provider);
            if (w != pollers_.end() && !st.enabled)
              w->second.polling = false;
          },
          [](caf::error&) {});
}

caf::typed_response_promise<polling_setting_outcome>
overview_state::set_polling(const polling_setting& s) {
  auto promise = self_->make_response_promise<polling_setting_outcome>();
  auto names = polled_providers();
  if (!s.provider.empty()
      && std::find(names.begin(), names.end(), s.provider) == names.end()) {
    std::string known;
    for (const auto& name : names)
      known += (known.empty() ? "" : ", ") + name;
    promise.deliver(to_error(failure{
        errc::not_found,
        "provider: jobsync polls no provider named '" + s.provider
            + "' (it polls: " + (known.empty() ? "none" : known) + ")"}));
    return promise;
  }
  auto next = preferences_.with(s);
  setting_batch batch;
  for (const auto& key : next.changed_keys(preferences_))
    batch.values.emplace_back(key, encode_polling_preference(next.at_key(key)));
  // Awaited: the next setting waits until this one is stored and handed to
  // the pollers, so settings take effect in the order they arrived.
  self_->request(registry_, caf::infinite, put_atom::value, std::move(batch))
      .await(
          [this, promise, next, enabled = s.enabled](uint64_t) mutable {
            preferences_ = std::move(next);
            hand_out(polling_setting_outcome{enabled, false},
                     [promise](polling_setting_outcome& out) mutable {
                       promise.deliver(out);
                     });
          },
          [promise](caf::error& e) mutable { promise.deliver(e); });
  return promise;
}

auto overview_state::status_of(const poller_status_actor& p) {
  return self_->request(p, caf::infinite, status_atom::value);
}

std::vector<poller_status_actor> overview_state::pollers() const {
  std::vector<poller_status_actor> out;
  for (const auto& [name, w] : pollers_)
    if (w.poller)
      out.push_back(w.poller);
  for (const auto& [name, check] : checks_)
    out.push_back(check);
  return out;
}

double overview_state::ms_since(caf::actor_clock::time_point start) const {
  std::chrono::duration<double, std::milli> took = self_->clock().now() - start;
  return took.count();
}

caf::typed_response_promise<std::vector<poller_status>>
overview_state::status() {
  struct statuses {
    std::vector<poller_status> all;
    std::optional<caf::error> error;
  };
  auto promise = self_->make_response_promise<std::vector<poller_status>>();
  gather<poller_status>(
      pollers(), statuses{},
      [this](const poller_status_actor& p) { return status_of(p); },
      [](statuses& s, poller_status& one) { s.all.push_back(std::move(one)); },
      [](statuses& s, caf::error& e) { s.error = e; },
      [this, promise](statuses& s) mutable {
        if (s.error) {
          promise.deliver(*s.error);
          return;
        }
        // Answers arrive in any order; the list keeps one: the pollers by
        // name, then the checks.
        auto is_check = [this](const poller_status& x) {
          return pollers_.count(x.provider) == 0;
        };
        std::sort(s.all.begin(), s.all.end(),
                  [&](const poller_status& x, const poller_status& y) {
                    bool cx = is_check(x), cy = is_check(y);
                    return cx != cy ? cy : x.provider < y.provider;
                  });
        promise.deliver(s.all);
      });
  return promise;
}

caf::typed_response_promise<server_figures> overview_state::figures() {
  auto promise = self_->make_response_promise<server_figures>();
  self_->request(reader_, caf::infinite, counts_atom::value)
      .then(
          [this, promise](std::vector<job_tally>& tallies) mutable {
            server_figures f;
            f.jobs = std::move(tallies);
            gather<poller_status>(
                pollers(), std::move(f),
                [this](const poller_status_actor& p) { return status_of(p); },
                [](server_figures& f, poller_status& s) {
                  f.pollers.push_back(std::move(s));
                },
                // A poller that does not answer (restarting) is left out
                // rather than failing the whole scrape.
                [](server_figures&, caf::error&) {},
                [this, promise](server_figures& f) mutable {
                  with_registry_figures(std::move(f), promise);
                });
          },
          [promise](caf::error& e) mutable { promise.deliver(e); });
  return promise;
}

// The registry counts trainer reports and what its writes cost; a registry
// that does not answer leaves them out rather than failing the scrape.
void overview_state::with_registry_figures(
    server_figures f, caf::typed_response_promise<server_figures> promise) {
  auto figures = std::make_shared<server_figures>(std::move(f));
  self_->request(registry_, caf::infinite, health_atom::value)
      .then(
          [figures, promise](registry_health& h) mutable {
            figures->trainer_reports = h.trainer_reports;
            figures->unattributed_reports = h.unattributed_reports;
            figures->writer = h.writer;
            promise.deliver(std::move(*figures));
          },
          [figures, promise](caf::error&) mutable {
            promise.deliver(std::move(*figures));
          });
}

caf::typed_response_promise<readiness> overview_state::ready() {
  auto promise = self_->make_response_promise<readiness>();
  self_->request(registry_, caf::infinite, health_atom::value)
      .then(
          [this, promise](registry_health& h) mutable {
            if (!h.writable) {
              promise.deliver(readiness{false, h.reason});
              return;
            }
            std::vector<poller_status_actor> polling;
            for (const auto& [name, w] : pollers_)
              if (w.polling && w.poller)
                polling.push_back(w.poller);
            gather<poller_status>(
                polling, readiness{true, {}},
                [this](const poller_status_actor& p) { return status_of(p); },
                [](readiness& r, poller_status& s) {
                  if (s.settled)
                    return;
                  r.ready = false;
                  r.reason = s.leadership
                                 ? "the first poll of " + s.provider
                                       + " has not finished yet"
                                 : "this replica has not learned yet which "
                                   "replica polls "
                                       + s.provider;
                },
                [](readiness& r, caf::error&) {
                  r.ready = false;
                  r.reason = "a poller is not running";
                },
                [promise](readiness& r) mutable { promise.deliver(r); });
          },
          [promise](caf::error& e) mutable {
            promise.deliver(readiness{false, from_error(e).detail});
          });
  return promise;
}

caf::typed_response_promise<health_report>
overview_state::health(bool ask_providers) {
  auto promise = self_->make_response_promise<health_report>();
  auto start = self_->clock().now();
  self_->request(registry_, caf::infinite, health_atom::value)
      .then(
          [this, start, ask_providers, promise](registry_health& h) {
            health_report r;
            r.components.push_back(store_health(h, ms_since(start)));
            provider_health(std::move(r), ask_providers, promise);
          },
          [this, start, ask_providers, promise](caf::error& e) {
            health_report r;
            r.components.push_back(
                store_health(from_error(e), ms_since(start)));
            provider_health(std::move(r), ask_providers, promise);
          });
  return promise;
}

std::vector<overview_state::health_peer>
overview_state::reserve_slots(health_report& r) const {
  std::vector<health_peer> peers;
  for (const auto& [name, w] : pollers_)
    if (w.poller)
      peers.push_back({r.components.size() + peers.size(), name, w.poller});
  r.components.resize(r.components.size() + peers.size());
  return peers;
}

void overview_state::provider_health(
    health_report report, bool ask_providers,
    caf::typed_response_promise<health_report> promise) {
  for (const auto& [name, w] : pollers_)
    report.components.push_back(token_health(name, w.unavailable));
  auto peers = reserve_slots(report);
  gather<poller_status>(
      peers, std::move(report),
      [this](const health_peer& p) { return status_of(p.poller); },
      [](health_report& r, const health_peer& p, poller_status& s) {
        r.components[p.slot] = circuit_health(s);
      },
      [](health_report& r, const health_peer& p, caf::error& e) {
        r.components[p.slot] = circuit_health(p.provider, from_error(e));
      },
      [this, ask_providers, promise](health_report& r) mutable {
        if (ask_providers)
          api_health(std::move(r), promise);
        else
          promise.deliver(r);
      });
}

void overview_state::api_health(
    health_report report, caf::typed_response_promise<health_report> promise) {
  auto peers = reserve_slots(report);
  // Every provider is asked at once, so each one's latency counts from here.
  auto start = self_->clock().now();
  gather<validation>(
      peers, std::move(report),
      [this](const health_peer& p) {
        return self_->request(p.poller, caf::infinite, validate_atom::value);
      },
      [this, start](health_report& r, const health_peer& p, validation& v) {
        r.components[p.slot]
            = jobsync::api_health(p.provider, v, ms_since(start));
      },
      [this, start](health_report& r, const health_peer& p, caf::error& e) {
        r.components[p.slot]
            = jobsync::api_health(p.provider, from_error(e), ms_since(start));
      },
      [promise](health_report& r) mutable { promise.deliver(r); });
}

overview_actor::behavior_type
overview(overview_actor::stateful_pointer<overview_state> self,
         registry_actor registry, reader_actor reader,
         std::map<std::string, watched_poller> pollers,
         std::map<std::string, poller_status_actor> checks,
         polling_preferences preferences,
         std::chrono::milliseconds reread_period) {
  self->state.init(std::move(registry), std::move(reader), std::move(pollers),
                   std::move(checks), std::move(preferences), reread_period);
  return {
      [=](status_atom) { return self->state.status(); },
      [=](polling_atom, const polling_setting& s) {
        return self->state.set_polling(s);
      },
      [=](metrics_atom) { return self->state.figures(); },
      [=](ready_atom) { return self->state.ready(); },
      [=](reload_atom, const provider_name& provider, poller_config& config) {
        self->state.reconfigure(provider, std::move(config));
      },
      [=](health_atom, bool ask_providers) {
        return self->state.health(ask_providers);
      },
      [=](put_atom, const provider_name& provider, poller_actor& replacement) {
        self->state.replace(provider, std::move(replacement));
      },
      [=](put_atom, const provider_name& provider,
          poller_status_actor& replacement) {
        self->state.replace_check(provider, std::move(replacement));
      },
      [=](tick_atom) { self->state.reread_preferences(); },
  };
}

} // namespace jobsync
