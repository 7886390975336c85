#include "actors/sync.hpp"

#include "actors/error.hpp"
#include "actors/gather.hpp"
#include "logging/log.hpp"
#include "model/trainer_rules.hpp"

#include <caf/send.hpp>

namespace jobsync {

result<void> sync_config::validate() const {
  if (active_deadline.count() <= 0)
    return failure{errc::bad_request,
                   "the sync_active deadline must be positive"};
  if (log_freshness.count() <= 0 || log_fetch_timeout.count() <= 0)
    return failure{errc::bad_request,
                   "the log freshness and fetch timeout must be positive"};
  if (log_tail_bytes == 0)
    return failure{errc::bad_request, "the log tail must keep some bytes"};
  return {};
}

void sync_state::init(sync_config config, registry_actor registry,
                      reader_actor reader,
                      std::map<std::string, provider_entry> providers) {
  config_ = std::move(config);
  registry_ = std::move(registry);
  reader_ = std::move(reader);
  providers_ = std::move(providers);
}

std::vector<const provider_entry*> sync_state::askable() const {
  std::vector<const provider_entry*> out;
  for (const auto& [name, entry] : providers_)
    if (entry.poller)
      out.push_back(&entry);
  return out;
}

const provider_entry* sync_state::provider_of(const job& x) const {
  if (x.external_id.empty() || !x.provider)
    return nullptr;
  auto i = providers_.find(*x.provider);
  if (i == providers_.end() || !i->second.poller)
    return nullptr;
  return &i->second;
}

void sync_state::replace(const provider_name& provider, poller_actor poller) {
  auto i = providers_.find(provider.value);
  if (i != providers_.end())
    i->second.poller = std::move(poller);
}

// -- discovery ----------------------------------------------------------------

caf::result<sync_report> sync_state::sync() {
  if (askable().empty())
    return make_error(errc::unavailable,
                      "No provider is configured to discover jobs from");
  auto promise = self_->make_response_promise<sync_report>();
  sync_waiters_.push_back(promise);
  // Concurrent requests share the run in progress.
  if (sync_waiters_.size() == 1)
    run_sync();
  return promise;
}

// Asks every provider for its newest jobs, then stores all of them in one
// batch: what the providers that answered found is kept even when another
// failed (the caller still sees that failure).
void sync_state::run_sync() {
  struct found {
    std::vector<provider_snapshot> snapshots;
    std::optional<caf::error> error;
  };
  auto providers = askable();
  sync_report report;
  for (const auto* entry : providers)
    report.provider_label = report.provider_label.empty()
                                ? entry->label
                                : report.provider_label + ", " + entry->label;
  gather<std::vector<provider_snapshot>>(
      providers, found{},
      [this](const provider_entry* entry) {
        return self_->request(entry->poller, caf::infinite,
                              discover_atom::value, entry->sync_limit);
      },
      [](found& f, std::vector<provider_snapshot>& snapshots) {
        for (auto& s : snapshots)
          f.snapshots.push_back(std::move(s));
      },
      [](found& f, caf::error& e) { f.error = e; },
      [this, report](found& f) mutable {
        if (f.snapshots.empty())
          return finish_sync(report, f.error);
        auto error = f.error;
        self_
            ->request(registry_, caf::infinite, apply_atom::value,
                      snapshot_batch{std::move(f.snapshots), true})
            .then(
                [this, report, error](apply_summary& sum) mutable {
                  report.synced = sum.created;
                  report.updated = sum.updated;
                  finish_sync(report, error);
                },
                [this, report](caf::error& e) { finish_sync(report, e); });
      });
}

void sync_state::finish_sync(const sync_report& report,
                             const std::optional<caf::error>& error) {
  auto waiters = std::move(sync_waiters_);
  sync_waiters_.clear();
  for (auto& w : waiters) {
    if (error)
      w.deliver(*error);
    else
      w.deliver(report);
  }
}

// -- sync_active
// ----------------------------------------------------------------

caf::typed_response_promise<job_page, refresh_report>
sync_state::refresh(const list_query& query) {
  auto promise = self_->make_response_promise<job_page, refresh_report>();
  auto deadline = int64_t{config_.active_deadline.count()};
  // Each poller answers by the deadline; then a reader lists.
  gather<refresh_report>(
      askable(), refresh_report{},
      [this, deadline](const provider_entry* entry) {
        return self_->request(entry->poller, caf::infinite, refresh_atom::value,
                              deadline);
      },
      [](refresh_report& all, refresh_report& r) {
        all.checked += r.checked;
        all.updated += r.updated;
        all.failed += r.failed;
        all.complete = all.complete && r.complete;
      },
      [](refresh_report& all, caf::error&) { all.complete = false; },
      [this, query, promise](refresh_report& all) mutable {
        self_->request(reader_, caf::infinite, list_atom::value, query)
            .then([promise,
                   all](job_page& page) mutable { promise.deliver(page, all); },
                  [promise](caf::error& e) mutable { promise.deliver(e); });
      });
  return promise;
}

// -- cancel -------------------------------------------------------------------

caf::typed_response_promise<job> sync_state::cancel(const job_ref& id) {
  auto promise = self_->make_response_promise<job>();
  self_->request(reader_, caf::infinite, get_atom::value, id)
      .then([this, promise](job& x) { cancel_job(std::move(x), promise); },
            [promise](caf::error& e) mutable { promise.deliver(e); });
  return promise;
}

// Stores a cancellation that never reaches a provider. The registry
// decides on the stored job, not on this copy read earlier: a trainer
// report or webhook committed since is kept, and a job that ended since is
// refused.
void sync_state::cancel_locally(job_ref id, std::string why,
                                caf::typed_response_promise<job> promise) {
  self_
      ->request(registry_, caf::infinite, cancel_atom::value, std::move(id),
                std::move(why))
      .then([promise](job& cancelled) mutable { promise.deliver(cancelled); },
            [promise](caf::error& e) mutable { promise.deliver(e); });
}

void sync_state::cancel_job(job x, caf::typed_response_promise<job> promise) {
  if (is_terminal(x.status)) {
    promise.deliver(to_error(cannot_cancel(x.job_id, x.status)));
    return;
  }
  if (is_local_run(x)) {
    // Only jobsync-track, following the job's events, can stop the process.
    auto note = local_cancel_note(x);
    cancel_locally(job_ref{x.job_id}, std::move(note), promise);
    return;
  }
  auto entry = provider_of(x);
  if (!entry) {
    cancel_locally(job_ref{x.job_id}, "Cancelled before it reached a provider",
                   promise);
    return;
  }
  auto id = job_ref{x.job_id};
  self_
      ->request(entry->poller, caf::infinite, cancel_atom::value,
                provider_job_ref{x.external_id})
      .then(
          [this, id, promise](provider_snapshot& s) {
            self_
                ->request(registry_, caf::infinite, apply_atom::value,
                          snapshot_batch{{std::move(s)}, false})
                .then(
                    [this, id, promise](apply_summary&) {
                      // The stored job, as the merge rules left it.
                      self_
                          ->request(reader_, caf::infinite, get_atom::value, id)
                          .then(
                              [promise](job& x) mutable { promise.deliver(x); },
                              [promise](caf::error& e) mutable {
                                promise.deliver(e);
                              });
                    },
                    [promise](caf::error& e) mutable { promise.deliver(e); });
          },
          [this, id, promise](caf::error& e) mutable {
            if (from_error(e).code == errc::not_found) {
              // The provider no longer knows the job: nothing runs there.
              cancel_locally(id,
                             "Cancelled locally: the provider no longer knows "
                             "this job",
                             promise);
              return;
            }
            promise.deliver(e);
          });
}

// -- progress and logs
// ----------------------------------------------------------

template <class T>
caf::typed_response_promise<T> sync_state::with_detail(
    const job_ref& id,
    void (sync_state::*answer)(job_detail&, caf::typed_response_promise<T>)) {
  auto promise = self_->make_response_promise<T>();
  self_->request(reader_, caf::infinite, detail_atom::value, id)
      .then([this, answer,
             promise](job_detail& d) { (this->*answer)(d, promise); },
            [promise](caf::error& e) mutable { promise.deliver(e); });
  return promise;
}

auto sync_state::fetch_log(const provider_entry& entry, const job& x) {
  return self_->request(entry.poller, config_.log_fetch_timeout,
                        logs_atom::value, provider_job_ref{x.external_id},
                        int64_t{config_.log_freshness.count()});
}

caf::typed_response_promise<job_progress>
sync_state::progress(const job_ref& id) {
  return with_detail(id, &sync_state::answer_progress);
}

void sync_state::answer_progress(
    job_detail& d, caf::typed_response_promise<job_progress> promise) {
  job_progress out{d.value.job_id, {}};
  if (d.value.status != job_status::running) {
    promise.deliver(out); // nulls: only running jobs have progress
    return;
  }
  if (d.logs)
    out.progress = d.logs->progress;
  auto age
      = std::chrono::milliseconds{now_ms() - (d.logs ? d.logs->updated_at : 0)};
  // Webhooks push this job's logs; the provider need not be asked.
  bool pushed = d.value.metadata.count("webhook_url") > 0 && d.logs;
  auto entry = provider_of(d.value);
  if (age < config_.log_freshness || pushed || !entry) {
    promise.deliver(out);
    return;
  }
  fetch_log(*entry, d.value)
      .then(
          [this, out, promise](std::string& text) mutable {
            auto fresh = out;
            fresh.progress = compute_inline_progress(
                log_tail(text, config_.log_tail_bytes));
            promise.deliver(fresh);
          },
          // The provider failed or was slow: the stored tail still answers.
          [out, promise](caf::error&) mutable { promise.deliver(out); });
}

caf::typed_response_promise<job_log_text> sync_state::logs(const job_ref& id) {
  return with_detail(id, &sync_state::answer_logs);
}

void sync_state::answer_logs(
    job_detail& d, caf::typed_response_promise<job_log_text> promise) {
  job_log_text stored{d.value.job_id, d.logs ? d.logs->tail : "", false, ""};
  auto entry = provider_of(d.value);
  if (!entry) {
    stored.note = d.value.type == job_type::local
                      ? "A local run's log is what its trainer reported; "
                        "this is the stored tail of it"
                      : "This job has no provider to ask; this is the "
                        "stored log tail";
    promise.deliver(stored);
    return;
  }
  bool has_tail = d.logs.has_value();
  fetch_log(*entry, d.value)
      .then(
          [stored, promise](std::string& text) mutable {
            promise.deliver(job_log_text{stored.job_id, text, true, ""});
          },
          [stored, has_tail, promise](caf::error& e) mutable {
            auto f = from_error(e);
            if (!has_tail) {
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

// -- validate and secret
// ---------------------------------------------------------

caf::result<validation> sync_state::validate(const provider_name& provider) {
  auto i = providers_.find(provider.value);
  if (i == providers_.end())
    return make_error(errc::not_found,
                      "Unknown provider '" + provider.value + "'");
  if (!i->second.poller)
    return validation{false, {}, i->second.unavailable};
  return self_->delegate(i->second.poller, validate_atom::value);
}

caf::result<std::string> sync_state::secret(const provider_name& provider) {
  // Asked through here, not of a poller handle kept elsewhere, because the
  // supervisor may have replaced the poller since.
  auto i = providers_.find(provider.value);
  if (i == providers_.end() || !i->second.poller)
    return make_error(errc::unavailable,
                      "provider '" + provider.value
                          + "' is not configured (no API token?), so its "
                            "webhook signing secret cannot be fetched");
  return self_->delegate(i->second.poller, secret_atom::value);
}

sync_actor::behavior_type
sync(sync_actor::stateful_pointer<sync_state> self, sync_config config,
     registry_actor registry, reader_actor reader,
     std::map<std::string, provider_entry> providers) {
  self->state.init(std::move(config), std::move(registry), std::move(reader),
                   std::move(providers));
  return {
      [=](sync_atom) { return self->state.sync(); },
      [=](refresh_atom, const list_query& query) {
        return self->state.refresh(query);
      },
      [=](cancel_atom, const job_ref& id) { return self->state.cancel(id); },
      [=](progress_atom, const job_ref& id) {
        return self->state.progress(id);
      },
      [=](logs_atom, const job_ref& id) { return self->state.logs(id); },
      [=](validate_atom, const provider_name& provider) {
        return self->state.validate(provider);
      },
      [=](secret_atom, const provider_name& provider) {
        return self->state.secret(provider);
      },
      [=](put_atom, const provider_name& provider, poller_actor& replacement) {
        self->state.replace(provider, std::move(replacement));
      },
      [=](reload_atom, sync_config& c) {
        self->state.reconfigure(std::move(c));
      },
  };
}

} // namespace jobsync
