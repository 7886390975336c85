#include "actors/overview.hpp"

#include "actors/error.hpp"
#include "actors/gather.hpp"

namespace jobsync {

void overview_state::init(registry_actor registry, reader_actor reader,
                          std::map<std::string, watched_poller> pollers,
                          std::vector<poller_status_actor> checks) {
  registry_ = std::move(registry);
  reader_ = std::move(reader);
  pollers_ = std::move(pollers);
  checks_ = std::move(checks);
}

void overview_state::replace(const provider_name& provider,
                             poller_actor poller) {
  auto i = pollers_.find(provider.value);
  if (i != pollers_.end())
    i->second.poller = std::move(poller);
}

auto overview_state::status_of(const poller_status_actor& p) {
  return self_->request(p, caf::infinite, status_atom::value);
}

std::vector<poller_status_actor> overview_state::pollers() const {
  std::vector<poller_status_actor> out;
  for (const auto& [name, w] : pollers_)
    if (w.poller)
      out.push_back(w.poller);
  out.insert(out.end(), checks_.begin(), checks_.end());
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
      [promise](statuses& s) mutable {
        if (s.error)
          promise.deliver(*s.error);
        else
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
                  with_trainer_counts(std::move(f), promise);
                });
          },
          [promise](caf::error& e) mutable { promise.deliver(e); });
  return promise;
}

// The registry counts trainer reports; a registry that does not answer
// leaves the counts out rather than failing the scrape.
void overview_state::with_trainer_counts(
    server_figures f, caf::typed_response_promise<server_figures> promise) {
  auto figures = std::make_shared<server_figures>(std::move(f));
  self_->request(registry_, caf::infinite, health_atom::value)
      .then(
          [figures, promise](registry_health& h) mutable {
            figures->trainer_reports = h.trainer_reports;
            figures->unattributed_reports = h.unattributed_reports;
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
         std::vector<poller_status_actor> checks) {
  self->state.init(std::move(registry), std::move(reader), std::move(pollers),
                   std::move(checks));
  return {
      [=](status_atom) { return self->state.status(); },
      [=](metrics_atom) { return self->state.figures(); },
      [=](ready_atom) { return self->state.ready(); },
      [=](health_atom, bool ask_providers) {
        return self->state.health(ask_providers);
      },
      [=](put_atom, const provider_name& provider, poller_actor& replacement) {
        self->state.replace(provider, std::move(replacement));
      },
  };
}

} // namespace jobsync
