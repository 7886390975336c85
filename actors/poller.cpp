#include "actors/poller.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <algorithm>

namespace jobsync {

namespace {

using self_ptr = poller_actor::stateful_pointer<poller_state>;
using clock = poller_state::clock;

template <class T>
using provider_result = providers::provider_result<T>;

// Wraps a handler so that a provider completion, which arrives on the HTTP
// client's thread, runs as a message in the poller's own context. A weak
// handle: completions for a poller that is gone are dropped.
template <class T>
providers::provider_callback<T>
in_actor(self_ptr self, std::function<void(provider_result<T>&)> fn) {
  auto addr = caf::actor_cast<caf::actor_addr>(self);
  return [addr, fn = std::move(fn)](provider_result<T> r) {
    auto strong = caf::actor_cast<poller_actor>(addr);
    if (!strong)
      return;
    caf::anon_send(strong, run_atom::value,
                   std::function<void()>{[fn, r]() mutable { fn(r); }});
  };
}

failure provider_failure(const poller_state& st,
                         const providers::provider_error& e) {
  auto code = e.kind == providers::provider_error_kind::not_found
                  ? errc::not_found
                  : errc::provider_error;
  return {code, st.config.label + " answered with an error: " + e.message};
}

unix_ms wall_in(clock::duration d) {
  return now_ms()
         + std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// -- the gate
// ------------------------------------------------------------------

void pump(self_ptr self) {
  auto& st = self->state;
  while (!st.waiting.empty()) {
    auto now = self->clock().now();
    auto wait = st.gate.delay(now);
    if (wait > clock::duration::zero()) {
      if (!st.step_scheduled) {
        st.step_scheduled = true;
        self->delayed_send(self, wait + std::chrono::milliseconds(1),
                           step_atom::value);
      }
      return;
    }
    st.gate.spend(now);
    auto call = std::move(st.waiting.front());
    st.waiting.pop_front();
    call();
  }
}

// Queues a provider call behind the gate.
void submit(self_ptr self, std::function<void()> call) {
  self->state.waiting.push_back(std::move(call));
  pump(self);
}

// A 429's Retry-After closes the gate for every request of this provider.
void note_rate_limit(self_ptr self, const providers::provider_error& e) {
  if (e.kind == providers::provider_error_kind::rate_limited && e.retry_after)
    self->state.gate.block_until(self->clock().now() + *e.retry_after);
}

// -- cycles
// --------------------------------------------------------------------

void advance(self_ptr self);
void end_cycle(self_ptr self, bool complete);

bool live(self_ptr self, uint64_t id) {
  auto& c = self->state.cycle;
  return c && c->id == id && id != 0;
}

void schedule_next(self_ptr self, clock::time_point started) {
  auto& st = self->state;
  if (!st.config.enabled)
    return;
  auto now = self->clock().now();
  auto due
      = st.circuit_until ? *st.circuit_until : started + st.config.interval;
  st.next_due = due;
  auto wait = due > now ? due - now : clock::duration::zero();
  self->delayed_send(self, wait, tick_atom::value);
  st.status.next_cycle = wall_in(wait);
}

void finish(self_ptr self, bool complete, uint64_t changed,
            const std::string& apply_error) {
  auto& st = self->state;
  auto c = std::move(*st.cycle);
  st.cycle.reset();
  auto now = self->clock().now();
  c.report.jobs_changed = changed;
  if (!apply_error.empty()) {
    ++c.report.errors;
    c.report.last_error = apply_error;
    complete = false;
  }
  c.report.complete = complete && c.remaining.empty();
  c.report.duration_ms
      = std::chrono::duration_cast<std::chrono::milliseconds>(now - c.started)
            .count();
  st.status.last_cycle = c.report;
  st.status.cycle_running = false;
  st.status.first_cycle_done = true;
  ++st.status.cycles;
  bool failed = !c.report.complete && !c.cut_short;
  if (failed) {
    ++st.status.consecutive_failures;
    if (st.half_open
        || st.status.consecutive_failures
               >= static_cast<uint32_t>(st.config.circuit_failure_threshold)) {
      st.circuit_until = now + st.config.circuit_open;
      st.status.circuit = "open";
      log::warning("poller",
                   "{}: {} failed cycles in a row, pausing for {} s "
                   "(last error: {})",
                   st.config.provider, st.status.consecutive_failures,
                   st.config.circuit_open.count(), c.report.last_error);
    }
  } else if (c.report.complete) {
    if (st.status.circuit != "closed")
      log::info("poller", "{}: provider reachable again, circuit closed",
                st.config.provider);
    st.status.consecutive_failures = 0;
    st.status.circuit = "closed";
    st.status.backoff_seconds = 0;
  }
  st.half_open = false;
  refresh_report r;
  r.checked = c.report.jobs_checked;
  r.updated = changed;
  r.failed = c.report.jobs_active - c.report.jobs_checked;
  r.complete = c.report.complete;
  for (auto& w : st.refresh_waiters)
    w.deliver(r);
  st.refresh_waiters.clear();
  log::debug("poller",
             "{}: cycle checked {}/{} active jobs with {} requests, "
             "{} changed",
             st.config.provider, c.report.jobs_checked, c.report.jobs_active,
             c.report.requests, changed);
  schedule_next(self, c.started);
}

// Stores what the cycle found in one batch, then finishes it.
void end_cycle(self_ptr self, bool complete) {
  auto& st = self->state;
  auto& c = *st.cycle;
  auto found = std::move(c.found);
  c.found.clear();
  // From here on, late provider answers for this cycle are ignored.
  c.id = 0;
  if (found.empty())
    return finish(self, complete, 0, {});
  self->request(st.registry, caf::infinite, apply_atom::value,
                snapshot_batch{std::move(found), false})
      .then(
          [=](apply_summary& sum) { finish(self, complete, sum.updated, {}); },
          [=](caf::error& e) {
            finish(self, false, 0,
                   "storing the results failed: " + from_error(e).detail);
          });
}

void on_step_error(self_ptr self, const providers::provider_error& e) {
  auto& st = self->state;
  auto& c = *st.cycle;
  ++c.report.errors;
  c.report.last_error = e.message;
  note_rate_limit(self, e);
  if (!providers::is_transient(e.kind))
    return end_cycle(self, false);
  ++c.attempt;
  auto delay = backoff_delay(c.attempt, st.config.backoff_initial,
                             st.config.backoff_max, st.rng);
  st.status.backoff_seconds = static_cast<double>(delay.count()) / 1000.0;
  auto now = self->clock().now();
  if (now + delay >= c.deadline)
    return end_cycle(self, false);
  auto id = c.id;
  self->delayed_send(self, delay, run_atom::value,
                     std::function<void()>{[self, id] {
                       if (live(self, id))
                         advance(self);
                     }});
}

void on_page(self_ptr self, uint64_t id,
             provider_result<providers::replicate_page>& r) {
  if (!live(self, id))
    return;
  auto& c = *self->state.cycle;
  ++c.report.requests;
  if (!r)
    return on_step_error(self, r.error());
  c.attempt = 0;
  ++c.report.pages;
  auto& page = r.value();
  for (auto& s : page.jobs)
    if (c.remaining.erase(s.external_id) > 0) {
      ++c.report.jobs_checked;
      c.found.push_back(std::move(s));
    }
  c.first_page = false;
  c.next_url = page.next;
  // Newest first: once a page reaches jobs older than the oldest active one,
  // every active job the list still shows has been seen.
  if (!page.jobs.empty() && page.jobs.back().created_at) {
    auto last = parse_rfc3339(*page.jobs.back().created_at);
    if (last && *last < c.oldest_created)
      c.listing = false;
  }
  if (!c.next_url)
    c.listing = false;
  advance(self);
}

void on_single(self_ptr self, uint64_t id, const std::string& external_id,
               provider_result<provider_snapshot>& r) {
  if (!live(self, id))
    return;
  auto& c = *self->state.cycle;
  ++c.report.requests;
  if (!r) {
    if (r.error().kind == providers::provider_error_kind::not_found) {
      // The provider forgot the job (its data retention): nothing to learn.
      c.remaining.erase(external_id);
      ++c.report.errors;
      c.report.last_error = r.error().message;
      return advance(self);
    }
    return on_step_error(self, r.error());
  }
  c.attempt = 0;
  if (c.remaining.erase(external_id) > 0)
    ++c.report.jobs_checked;
  c.found.push_back(std::move(r.value()));
  advance(self);
}

// Issues the cycle's next request: list pages first, then single fetches
// for active jobs the list did not show.
void advance(self_ptr self) {
  auto& st = self->state;
  auto& c = *st.cycle;
  auto id = c.id;
  if (c.listing && !c.remaining.empty() && (c.first_page || c.next_url)
      && c.report.pages < c.page_budget) {
    auto url = c.next_url.value_or("");
    submit(self, [self, id, url] {
      self->state.client->list_page(
          url, in_actor<providers::replicate_page>(
                   self, [self, id](auto& r) { on_page(self, id, r); }));
    });
    return;
  }
  c.listing = false;
  if (!c.remaining.empty()) {
    auto external_id = c.remaining.begin()->first;
    submit(self, [self, id, external_id] {
      self->state.client->get(
          external_id,
          in_actor<provider_snapshot>(self, [self, id, external_id](auto& r) {
            on_single(self, id, external_id, r);
          }));
    });
    return;
  }
  end_cycle(self, true);
}

void on_active(self_ptr self, uint64_t id, std::vector<job>& jobs) {
  if (!live(self, id))
    return;
  auto& c = *self->state.cycle;
  c.oldest_created = std::numeric_limits<unix_ms>::max();
  for (const auto& x : jobs) {
    if (x.external_id.empty())
      continue; // never reached the provider
    auto created = created_ms(x);
    c.remaining.emplace(x.external_id, created);
    c.oldest_created = std::min(c.oldest_created, created);
  }
  c.report.jobs_active = c.remaining.size();
  // Pages hold 100 jobs; allow some for newer finished jobs above them.
  c.page_budget = c.remaining.size() / 100 * 2 + 5;
  if (c.remaining.empty())
    return end_cycle(self, true);
  advance(self);
}

void begin_cycle(self_ptr self, bool requested) {
  auto& st = self->state;
  if (st.cycle)
    return;
  auto now = self->clock().now();
  if (st.circuit_until) {
    if (now < *st.circuit_until && !requested)
      return schedule_next(self, now);
    st.circuit_until.reset();
    st.half_open = true;
    st.status.circuit = "half_open";
  }
  poll_cycle c;
  c.id = st.next_cycle_id++;
  c.started = now;
  c.deadline = now + st.config.interval;
  c.report.started = now_ms();
  st.cycle = std::move(c);
  st.status.cycle_running = true;
  st.status.next_cycle.reset();
  auto id = st.cycle->id;
  self->request(st.reader, caf::infinite, active_atom::value,
                st.config.provider)
      .then([=](std::vector<job>& jobs) { on_active(self, id, jobs); },
            [=](caf::error& e) {
              if (!live(self, id))
                return;
              self->state.cycle->report.last_error = from_error(e).detail;
              end_cycle(self, false);
            });
}

// A sync_active deadline: store what was found so far and end the cycle.
void cut_cycle(self_ptr self, uint64_t id) {
  if (!live(self, id))
    return;
  self->state.cycle->cut_short = true;
  end_cycle(self, false);
}

// -- logs
// ----------------------------------------------------------------------

// Keeps a job's fetched log for reuse; forgets entries nobody asked for in
// a while, so the cache stays as small as the set of watched jobs.
void remember_log(self_ptr self, const std::string& external_id,
                  const std::string& text, std::optional<caf::error> error) {
  auto& cache = self->state.log_cache;
  auto now = self->clock().now();
  if (cache.size() > 1000) {
    for (auto i = cache.begin(); i != cache.end();) {
      if (now - i->second.at > std::chrono::minutes(5))
        i = cache.erase(i);
      else
        ++i;
    }
  }
  cache[external_id] = poller_state::fetched_log{now, text, std::move(error)};
}

// -- discovery
// -----------------------------------------------------------------

struct discovery {
  uint64_t limit = 0;
  std::vector<provider_snapshot> found;
  caf::typed_response_promise<std::vector<provider_snapshot>> promise;
};

void discover_page(self_ptr self, std::shared_ptr<discovery> d,
                   std::string url) {
  submit(self, [self, d, url] {
    self->state.client->list_page(
        url, in_actor<providers::replicate_page>(self, [self, d](auto& r) {
          if (!r) {
            note_rate_limit(self, r.error());
            d->promise.deliver(
                to_error(provider_failure(self->state, r.error())));
            return;
          }
          for (auto& s : r.value().jobs)
            if (d->found.size() < d->limit)
              d->found.push_back(std::move(s));
          if (d->found.size() >= d->limit || !r.value().next)
            d->promise.deliver(std::move(d->found));
          else
            discover_page(self, d, *r.value().next);
        }));
  });
}

} // namespace

result<void> poller_config::validate() const {
  if (interval.count() <= 0)
    return failure{errc::bad_request, "the poll interval must be positive"};
  if (requests_per_minute <= 0)
    return failure{errc::bad_request, "the request budget must be positive"};
  if (auto bad = client.validate())
    return failure{errc::bad_request, *bad};
  return {};
}

poller_actor::behavior_type
poller(poller_actor::stateful_pointer<poller_state> self, poller_config config,
       registry_actor registry, reader_actor reader) {
  auto& st = self->state;
  st.config = std::move(config);
  st.registry = std::move(registry);
  st.reader = std::move(reader);
  st.gate = request_gate{st.config.requests_per_minute, self->clock().now()};
  st.rng.seed(static_cast<uint32_t>(now_ms()));
  st.client = std::make_unique<providers::replicate_client>(st.config.client);
  st.status.provider = st.config.provider;
  st.status.enabled = st.config.enabled;
  st.status.reason = st.config.reason;
  st.status.interval_seconds = static_cast<int>(st.config.interval.count());
  st.status.requests_per_minute = st.config.requests_per_minute;
  // The first cycle runs at start-up.
  if (st.config.enabled)
    self->send(self, tick_atom::value);
  return {
      [=](refresh_atom, int64_t deadline_ms) {
        auto& st = self->state;
        auto promise = self->make_response_promise<refresh_report>();
        st.refresh_waiters.push_back(promise);
        begin_cycle(self, true);
        if (st.cycle) {
          auto id = st.cycle->id;
          self->delayed_send(
              self, std::chrono::milliseconds(deadline_ms), run_atom::value,
              std::function<void()>{[self, id] { cut_cycle(self, id); }});
        }
        return promise;
      },
      [=](discover_atom, uint64_t limit) {
        auto d = std::make_shared<discovery>();
        d->limit = limit;
        d->promise
            = self->make_response_promise<std::vector<provider_snapshot>>();
        if (limit == 0)
          d->promise.deliver(std::vector<provider_snapshot>{});
        else
          discover_page(self, d, "");
        return d->promise;
      },
      [=](logs_atom, std::string& external_id, int64_t max_age_ms) {
        auto promise = self->make_response_promise<std::string>();
        auto now = self->clock().now();
        auto cached = self->state.log_cache.find(external_id);
        if (cached != self->state.log_cache.end()
            && now - cached->second.at
                   < std::chrono::milliseconds(max_age_ms)) {
          if (cached->second.error)
            promise.deliver(*cached->second.error);
          else
            promise.deliver(cached->second.text);
          return promise;
        }
        auto& waiters = self->state.log_fetches[external_id];
        waiters.push_back(promise);
        if (waiters.size() > 1)
          return promise; // one fetch per job at a time, shared
        submit(self, [self, external_id] {
          self->state.client->logs(
              external_id,
              in_actor<providers::replicate_logs>(self, [self,
                                                         external_id](auto& r) {
                auto& st = self->state;
                auto waiters = std::move(st.log_fetches[external_id]);
                st.log_fetches.erase(external_id);
                if (!r) {
                  note_rate_limit(self, r.error());
                  auto err = to_error(provider_failure(st, r.error()));
                  remember_log(self, external_id, {}, err);
                  for (auto& w : waiters)
                    w.deliver(err);
                  return;
                }
                remember_log(self, external_id, r.value().text, std::nullopt);
                // The fetch is also a fresh snapshot: store it (and its logs).
                auto snapshot = r.value().snapshot;
                snapshot.logs = r.value().text;
                caf::anon_send(st.registry, apply_atom::value,
                               snapshot_batch{{std::move(snapshot)}, false});
                for (auto& w : waiters)
                  w.deliver(r.value().text);
              }));
        });
        return promise;
      },
      [=](cancel_atom, std::string& external_id) {
        auto promise = self->make_response_promise<provider_snapshot>();
        submit(self, [self, external_id, promise]() mutable {
          self->state.client->cancel(
              external_id, in_actor<provider_snapshot>(
                               self, [self, promise](auto& r) mutable {
                                 if (!r) {
                                   note_rate_limit(self, r.error());
                                   promise.deliver(to_error(provider_failure(
                                       self->state, r.error())));
                                   return;
                                 }
                                 promise.deliver(std::move(r.value()));
                               }));
        });
        return promise;
      },
      [=](validate_atom) {
        auto promise = self->make_response_promise<std::string>();
        submit(self, [self, promise]() mutable {
          self->state.client->validate(
              in_actor<std::string>(self, [self, promise](auto& r) mutable {
                if (!r) {
                  note_rate_limit(self, r.error());
                  promise.deliver(
                      to_error(provider_failure(self->state, r.error())));
                  return;
                }
                promise.deliver(r.value());
              }));
        });
        return promise;
      },
      [=](secret_atom) {
        auto& st = self->state;
        // Not cached here: the webhook receiver keeps the secret and asks
        // again only when a signature stops matching (a rotation).
        auto promise = self->make_response_promise<std::string>();
        st.secret_waiters.push_back(promise);
        if (st.secret_waiters.size() > 1)
          return promise;
        submit(self, [self] {
          self->state.client->webhook_secret(
              in_actor<std::string>(self, [self](auto& r) {
                auto& st = self->state;
                auto waiters = std::move(st.secret_waiters);
                st.secret_waiters.clear();
                if (!r) {
                  note_rate_limit(self, r.error());
                  auto err = to_error(provider_failure(st, r.error()));
                  for (auto& w : waiters)
                    w.deliver(err);
                  return;
                }
                for (auto& w : waiters)
                  w.deliver(r.value());
              }));
        });
        return promise;
      },
      [=](status_atom) {
        auto& st = self->state;
        auto s = st.status;
        auto now = self->clock().now();
        if (auto until = st.gate.blocked_until(now))
          s.retry_after_until = wall_in(*until - now);
        if (st.cycle)
          s.backoff_seconds = st.status.backoff_seconds;
        return s;
      },
      [=](tick_atom) {
        auto& st = self->state;
        auto now = self->clock().now();
        if (st.cycle || (st.next_due && now < *st.next_due))
          return; // a stale timer: the current schedule has its own
        begin_cycle(self, false);
      },
      [=](step_atom) {
        self->state.step_scheduled = false;
        pump(self);
      },
      [=](run_atom, std::function<void()>& fn) { fn(); },
  };
}

} // namespace jobsync
