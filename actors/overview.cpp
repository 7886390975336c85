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
    out.push_back(w.poller);
  out.insert(out.end(), checks_.begin(), checks_.end());
  return out;
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
              if (w.polling)
                polling.push_back(w.poller);
            gather<poller_status>(
                polling, readiness{true, {}},
                [this](const poller_status_actor& p) { return status_of(p); },
                [](readiness& r, poller_status& s) {
                  if (!s.first_cycle_done) {
                    r.ready = false;
                    r.reason = "the first poll of " + s.provider
                               + " has not finished yet";
                  }
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
      [=](put_atom, const provider_name& provider, poller_actor& replacement) {
        self->state.replace(provider, std::move(replacement));
      },
  };
}

} // namespace jobsync
