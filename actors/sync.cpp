#include "actors/sync.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"

#include <caf/send.hpp>

namespace jobsync {

namespace {

using self_ptr = sync_actor::stateful_pointer<sync_state>;

// Counts down the answers of a fan-out and keeps the first error.
template <class T>
struct gather {
  T value;
  size_t pending = 0;
  std::optional<caf::error> error;
};

void finish_sync(self_ptr self, const gather<sync_report>& g) {
  auto waiters = std::move(self->state.sync_waiters);
  self->state.sync_waiters.clear();
  for (auto& w : waiters) {
    if (g.error)
      w.deliver(*g.error);
    else
      w.deliver(g.value);
  }
}

// Runs discovery at every provider and stores what it found.
void run_sync(self_ptr self) {
  auto& st = self->state;
  auto g = std::make_shared<gather<sync_report>>();
  g->pending = st.providers.size();
  for (const auto& [name, entry] : st.providers) {
    g->value.provider_label
        = g->value.provider_label.empty()
              ? entry.label
              : g->value.provider_label + ", " + entry.label;
    auto done = [self, g] {
      if (--g->pending == 0)
        finish_sync(self, *g);
    };
    self->request(entry.poller, caf::infinite, discover_atom::value,
                  st.config.sync_limit)
        .then(
            [=](std::vector<provider_snapshot>& found) {
              self->request(self->state.registry, caf::infinite,
                            apply_atom::value,
                            snapshot_batch{std::move(found), true})
                  .then(
                      [=](apply_summary& sum) {
                        g->value.synced += sum.created;
                        g->value.updated += sum.updated;
                        done();
                      },
                      [=](caf::error& e) {
                        g->error = e;
                        done();
                      });
            },
            [=](caf::error& e) {
              g->error = e;
              done();
            });
  }
}

// Stores a cancellation that never reaches a provider.
caf::typed_response_promise<job>
cancel_locally(self_ptr self, job x, std::string why,
               caf::typed_response_promise<job> promise) {
  x.status = job_status::cancelled;
  if (!x.completed_at)
    x.completed_at = format_rfc3339(now_ms());
  if (!x.error_message)
    x.error_message = std::move(why);
  self->request(self->state.registry, caf::infinite, put_atom::value, x)
      .then([=](apply_summary&) mutable { promise.deliver(x); },
            [=](caf::error& e) mutable { promise.deliver(e); });
  return promise;
}

void reread(self_ptr self, const std::string& job_id,
            caf::typed_response_promise<job> promise) {
  self->request(self->state.reader, caf::infinite, get_atom::value, job_id)
      .then([=](job& x) mutable { promise.deliver(x); },
            [=](caf::error& e) mutable { promise.deliver(e); });
}

void cancel_job(self_ptr self, job x,
                caf::typed_response_promise<job> promise) {
  auto& st = self->state;
  if (is_terminal(x.status)) {
    promise.deliver(make_error(
        errc::invalid_job_state,
        "Job " + x.job_id + " is already " + std::string{to_string(x.status)}
            + "; only pending, uploading, queued or running jobs can be "
              "cancelled"));
    return;
  }
  auto entry = x.provider ? st.providers.find(*x.provider) : st.providers.end();
  if (x.external_id.empty() || entry == st.providers.end()) {
    cancel_locally(self, std::move(x), "Cancelled before it reached a provider",
                   promise);
    return;
  }
  auto job_id = x.job_id;
  self->request(entry->second.poller, caf::infinite, cancel_atom::value,
                x.external_id)
      .then(
          [=](provider_snapshot& s) mutable {
            self->request(self->state.registry, caf::infinite,
                          apply_atom::value,
                          snapshot_batch{{std::move(s)}, false})
                .then(
                    [=](apply_summary&) mutable {
                      reread(self, job_id, promise);
                    },
                    [=](caf::error& e) mutable { promise.deliver(e); });
          },
          [=](caf::error& e) mutable {
            auto f = from_error(e);
            if (f.code == errc::not_found) {
              // The provider no longer knows the job: nothing runs there.
              cancel_locally(self, x,
                             "Cancelled locally: the provider no longer knows "
                             "this job",
                             promise);
              return;
            }
            promise.deliver(e);
          });
}

// The provider of a job and its poller, if it has one.
const provider_entry* provider_of(self_ptr self, const job& x) {
  if (x.external_id.empty() || !x.provider)
    return nullptr;
  auto i = self->state.providers.find(*x.provider);
  return i == self->state.providers.end() ? nullptr : &i->second;
}

void answer_progress(self_ptr self, job_detail& d,
                     caf::typed_response_promise<job_progress> promise) {
  job_progress out{d.value.job_id, {}};
  if (d.value.status != job_status::running) {
    promise.deliver(out); // nulls: only running jobs have progress
    return;
  }
  if (d.logs)
    out.progress = d.logs->progress;
  const auto& cfg = self->state.config;
  auto age
      = std::chrono::milliseconds{now_ms() - (d.logs ? d.logs->updated_at : 0)};
  // Webhooks push this job's logs; the provider need not be asked.
  bool pushed = d.value.metadata.count("webhook_url") > 0 && d.logs;
  auto entry = provider_of(self, d.value);
  if (age < cfg.log_freshness || pushed || !entry) {
    promise.deliver(out);
    return;
  }
  self->request(entry->poller, cfg.log_fetch_timeout, logs_atom::value,
                d.value.external_id, int64_t{cfg.log_freshness.count()})
      .then(
          [=](std::string& text) mutable {
            auto fresh = out;
            fresh.progress = compute_inline_progress(
                log_tail(text, self->state.config.log_tail_bytes));
            promise.deliver(fresh);
          },
          // The provider failed or was slow: the stored tail still answers.
          [=](caf::error&) mutable { promise.deliver(out); });
}

void answer_logs(self_ptr self, job_detail& d,
                 caf::typed_response_promise<job_log_text> promise) {
  job_log_text stored{d.value.job_id, d.logs ? d.logs->tail : "", false, ""};
  auto entry = provider_of(self, d.value);
  if (!entry) {
    stored.note = d.value.type == job_type::local
                      ? "A local run's log is what its trainer reported; "
                        "this is the stored tail of it"
                      : "This job has no provider to ask; this is the "
                        "stored log tail";
    promise.deliver(stored);
    return;
  }
  const auto& cfg = self->state.config;
  self->request(entry->poller, cfg.log_fetch_timeout, logs_atom::value,
                d.value.external_id, int64_t{cfg.log_freshness.count()})
      .then(
          [=](std::string& text) mutable {
            promise.deliver(job_log_text{stored.job_id, text, true, ""});
          },
          [=](caf::error& e) mutable {
            auto f = from_error(e);
            if (!d.logs) {
              promise.deliver(
                  make_error(errc::provider_error,
                             "The logs could not be fetched and none "
                             "are stored: "
                                 + f.detail));
              return;
            }
            auto fallback = stored;
            fallback.note = "The provider could not be reached (" + f.detail
                            + "); this is the stored log tail";
            promise.deliver(fallback);
          });
}

} // namespace

result<void> sync_config::validate() const {
  if (sync_limit == 0)
    return failure{errc::bad_request, "sync_limit must be positive"};
  if (active_deadline.count() <= 0)
    return failure{errc::bad_request,
                   "the sync_active deadline must be positive"};
  return {};
}

sync_actor::behavior_type
sync(sync_actor::stateful_pointer<sync_state> self, sync_config config,
     registry_actor registry, reader_actor reader,
     std::map<std::string, provider_entry> providers) {
  auto& st = self->state;
  st.config = config;
  st.registry = std::move(registry);
  st.reader = std::move(reader);
  st.providers = std::move(providers);
  return {
      [=](sync_atom) -> caf::result<sync_report> {
        auto& st = self->state;
        if (st.providers.empty())
          return make_error(errc::unavailable,
                            "No provider is configured to discover jobs from");
        auto promise = self->make_response_promise<sync_report>();
        st.sync_waiters.push_back(promise);
        // Concurrent requests share the run in progress.
        if (st.sync_waiters.size() == 1)
          run_sync(self);
        return promise;
      },
      [=](refresh_atom, list_query& query) {
        auto& st = self->state;
        auto promise = self->make_response_promise<job_page, refresh_report>();
        auto g = std::make_shared<gather<refresh_report>>();
        // Lists once every provider answered (each answers by its deadline).
        auto list_then_answer = [self, g, query, promise]() mutable {
          self->request(self->state.reader, caf::infinite, list_atom::value,
                        query)
              .then(
                  [=](job_page& page) mutable {
                    promise.deliver(page, g->value);
                  },
                  [=](caf::error& e) mutable { promise.deliver(e); });
        };
        g->pending = st.providers.size();
        if (g->pending == 0) {
          list_then_answer();
          return promise;
        }
        auto deadline = st.config.active_deadline.count();
        for (const auto& [name, entry] : st.providers) {
          auto done = [g, list_then_answer]() mutable {
            if (--g->pending == 0)
              list_then_answer();
          };
          self->request(entry.poller, caf::infinite, refresh_atom::value,
                        int64_t{deadline})
              .then(
                  [=](refresh_report& r) mutable {
                    g->value.checked += r.checked;
                    g->value.updated += r.updated;
                    g->value.failed += r.failed;
                    g->value.complete = g->value.complete && r.complete;
                    done();
                  },
                  [=](caf::error&) mutable {
                    g->value.complete = false;
                    done();
                  });
        }
        return promise;
      },
      [=](cancel_atom, std::string& job_id) {
        auto promise = self->make_response_promise<job>();
        self->request(self->state.reader, caf::infinite, get_atom::value,
                      job_id)
            .then([=](job& x) { cancel_job(self, std::move(x), promise); },
                  [=](caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
      [=](status_atom) {
        auto& st = self->state;
        auto promise
            = self->make_response_promise<std::vector<poller_status>>();
        auto g = std::make_shared<gather<std::vector<poller_status>>>();
        g->pending = st.providers.size();
        if (g->pending == 0) {
          promise.deliver(g->value);
          return promise;
        }
        for (const auto& [name, entry] : st.providers)
          self->request(entry.poller, caf::infinite, status_atom::value)
              .then(
                  [=](poller_status& s) mutable {
                    g->value.push_back(std::move(s));
                    if (--g->pending == 0)
                      promise.deliver(g->value);
                  },
                  [=](caf::error& e) mutable {
                    if (--g->pending == 0)
                      promise.deliver(e);
                  });
        return promise;
      },
      [=](metrics_atom) {
        auto promise = self->make_response_promise<server_figures>();
        self->request(self->state.reader, caf::infinite, counts_atom::value)
            .then(
                [=](std::vector<job_tally>& tallies) mutable {
                  auto g = std::make_shared<gather<server_figures>>();
                  g->value.jobs = std::move(tallies);
                  g->pending = self->state.providers.size();
                  if (g->pending == 0) {
                    promise.deliver(g->value);
                    return;
                  }
                  // A poller that does not answer (restarting) is left out
                  // rather than failing the whole scrape.
                  auto done = [g, promise]() mutable {
                    if (--g->pending == 0)
                      promise.deliver(g->value);
                  };
                  for (const auto& [name, entry] : self->state.providers)
                    self->request(entry.poller, caf::infinite,
                                  status_atom::value)
                        .then(
                            [=](poller_status& s) mutable {
                              g->value.pollers.push_back(std::move(s));
                              done();
                            },
                            [=](caf::error&) mutable { done(); });
                },
                [=](caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
      [=](validate_atom, std::string& provider) -> caf::result<std::string> {
        auto& st = self->state;
        auto entry = st.providers.find(provider);
        if (entry == st.providers.end())
          return make_error(errc::not_found,
                            "Unknown provider '" + provider + "'");
        return self->delegate(entry->second.poller, validate_atom::value);
      },
      [=](secret_atom, std::string& provider) -> caf::result<std::string> {
        // Asked through here, not of a poller handle kept elsewhere, because
        // the supervisor may have replaced the poller since.
        auto entry = self->state.providers.find(provider);
        if (entry == self->state.providers.end())
          return make_error(errc::unavailable,
                            "provider '" + provider
                                + "' is not configured (no API token?), so its "
                                  "webhook signing secret cannot be fetched");
        return self->delegate(entry->second.poller, secret_atom::value);
      },
      [=](progress_atom, std::string& job_id) {
        auto promise = self->make_response_promise<job_progress>();
        self->request(self->state.reader, caf::infinite, detail_atom::value,
                      job_id)
            .then([=](job_detail& d) { answer_progress(self, d, promise); },
                  [=](caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
      [=](logs_atom, std::string& job_id) {
        auto promise = self->make_response_promise<job_log_text>();
        self->request(self->state.reader, caf::infinite, detail_atom::value,
                      job_id)
            .then([=](job_detail& d) { answer_logs(self, d, promise); },
                  [=](caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
      [=](put_atom, std::string& provider, poller_actor& replacement) {
        auto entry = self->state.providers.find(provider);
        if (entry != self->state.providers.end())
          entry->second.poller = std::move(replacement);
      },
      [=](ready_atom) {
        auto promise = self->make_response_promise<readiness>();
        self->request(self->state.registry, caf::infinite, health_atom::value)
            .then(
                [=](registry_health& h) mutable {
                  if (!h.writable) {
                    promise.deliver(readiness{false, h.reason});
                    return;
                  }
                  auto g = std::make_shared<gather<readiness>>();
                  g->value.ready = true;
                  for (const auto& [name, entry] : self->state.providers) {
                    if (!entry.polling)
                      continue;
                    ++g->pending;
                    self->request(entry.poller, caf::infinite,
                                  status_atom::value)
                        .then(
                            [=](poller_status& s) mutable {
                              if (!s.first_cycle_done) {
                                g->value.ready = false;
                                g->value.reason = "the first poll of "
                                                  + s.provider
                                                  + " has not finished yet";
                              }
                              if (--g->pending == 0)
                                promise.deliver(g->value);
                            },
                            [=](caf::error&) mutable {
                              g->value.ready = false;
                              g->value.reason = "a poller is not running";
                              if (--g->pending == 0)
                                promise.deliver(g->value);
                            });
                  }
                  if (g->pending == 0)
                    promise.deliver(g->value);
                },
                [=](caf::error& e) mutable {
                  promise.deliver(readiness{false, from_error(e).detail});
                });
        return promise;
      },
  };
}

} // namespace jobsync
