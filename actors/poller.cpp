#include "actors/poller.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"
#include "model/missing.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <limits>

namespace jobsync {

namespace {

using clock = poller_state::clock;

unix_ms wall_in(clock::duration d) {
  return now_ms()
         + std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// Pages hold 100 jobs; a cycle allows some pages for newer finished jobs
// above the active ones.
size_t cycle_page_budget(size_t active) {
  return active / 100 * 2 + 5;
}

} // namespace

result<void> poller_config::validate() const {
  if (interval.count() <= 0)
    return failure{errc::bad_request, "the poll interval must be positive"};
  if (requests_per_minute <= 0)
    return failure{errc::bad_request, "the request budget must be positive"};
  if (circuit_failure_threshold <= 0 || circuit_open.count() <= 0)
    return failure{errc::bad_request,
                   "the circuit threshold and open period must be positive"};
  if (backoff_initial.count() <= 0 || backoff_max < backoff_initial)
    return failure{errc::bad_request,
                   "the backoff must start positive and grow to its maximum"};
  if (sweep.count() < 0 || lost_after.count() < 0)
    return failure{errc::bad_request,
                   "the sweep interval and lost_after must not be negative"};
  return {};
}

void poller_state::init(poller_config config,
                        std::shared_ptr<providers::provider> provider,
                        registry_actor registry, reader_actor reader) {
  configured_ = config;
  config_ = std::move(config);
  provider_ = std::move(provider);
  registry_ = std::move(registry);
  reader_ = std::move(reader);
  gate_ = request_gate{config_.requests_per_minute, self_->clock().now()};
  wall_at_start_ = now_ms();
  clock_at_start_ = self_->clock().now();
  rng_.seed(static_cast<uint32_t>(now_ms()));
  status_.provider = provider_->name();
  take_preference(config_.preference);
  status_.sweep_interval_seconds = static_cast<int>(config_.sweep.count());
  status_.requests_per_minute = config_.requests_per_minute;
  status_.replica = config_.replica;
  if (!config_.elected)
    status_.leadership = poll_leadership{true, config_.replica};
  // Polling starts with a cycle; a sweep alone starts one sweep from now
  // (whatever changed while jobsync was down, webhooks are retried).
  if (config_.enabled)
    self_->send(self_, tick_atom::value);
  else if (period() > clock::duration::zero())
    schedule_next(self_->clock().now());
}

void poller_state::take_preference(const polling_preference& p) {
  config_.preference = p;
  config_.enabled = p.enabled.value_or(configured_.enabled);
  if (!p.enabled)
    config_.reason = configured_.reason;
  else
    config_.reason = std::string{"turned "} + (*p.enabled ? "on" : "off")
                     + " at runtime (PUT /api/cloud/polling/setting)";
  config_.interval = p.interval_seconds
                         ? std::chrono::seconds{*p.interval_seconds}
                         : configured_.interval;
  status_.enabled = config_.enabled;
  status_.reason = config_.reason;
  status_.preference = p.enabled;
  status_.interval_seconds = static_cast<int>(config_.interval.count());
}

poller_status poller_state::prefer(const polling_preference& p) {
  auto was_enabled = config_.enabled;
  auto was_period = period();
  take_preference(p);
  follow_changes(was_enabled, was_period);
  return status();
}

poller_status poller_state::reconfigure(poller_config config) {
  auto was_enabled = config_.enabled;
  auto was_period = period();
  auto now = self_->clock().now();
  if (config.requests_per_minute != config_.requests_per_minute) {
    // A new budget; a Retry-After the provider asked for still holds.
    auto blocked = gate_.blocked_until(now);
    gate_ = request_gate{config.requests_per_minute, now};
    if (blocked)
      gate_.block_until(*blocked);
  }
  auto preference = config_.preference;
  // Who this replica is, and whether it waits to lead, stay as started.
  config.replica = configured_.replica;
  config.elected = configured_.elected;
  configured_ = std::move(config);
  config_ = configured_;
  take_preference(preference);
  status_.requests_per_minute = config_.requests_per_minute;
  status_.sweep_interval_seconds = static_cast<int>(config_.sweep.count());
  follow_changes(was_enabled, was_period);
  pump();
  return status();
}

void poller_state::follow_changes(bool was_enabled,
                                  clock::duration was_period) {
  if (config_.enabled == was_enabled && period() == was_period)
    return;
  log::info("poller", "{}: background polling {}, every {} s ({})",
            provider_->name(), config_.enabled ? "on" : "off",
            config_.interval.count(), config_.reason);
  auto now = self_->clock().now();
  if (!config_.enabled && was_enabled && cycle_ && refresh_waiters_.empty()) {
    // A background cycle nobody waits for ends here, like one a deadline
    // cut short: what it found is stored, nothing more is asked.
    cut_cycle(cycle_->id);
  } else if (config_.enabled && !was_enabled && !cycle_) {
    // Turned on: a cycle now (on the replica that leads; another one's
    // starts when it leads).
    next_due_.reset();
    if (leads())
      begin_cycle(false);
  } else if (!cycle_) {
    // A new period: the next cycle is due one period from now (a running
    // cycle schedules the next by the new period when it ends).
    next_due_.reset();
    status_.next_cycle.reset();
    schedule_next(now);
  }
}

unix_ms poller_state::wall_now() const {
  return wall_at_start_
         + std::chrono::duration_cast<std::chrono::milliseconds>(
               self_->clock().now() - clock_at_start_)
               .count();
}

poller_state::clock::duration poller_state::period() const {
  auto sweep = std::chrono::duration_cast<clock::duration>(config_.sweep);
  if (!config_.enabled)
    return sweep;
  auto poll = std::chrono::duration_cast<clock::duration>(config_.interval);
  return sweep > clock::duration::zero() ? std::min(poll, sweep) : poll;
}

poller_state::clock::duration poller_state::circuit_open() const {
  auto open = std::chrono::duration_cast<clock::duration>(config_.circuit_open);
  auto p = period();
  return p > clock::duration::zero() ? std::min(open, p) : open;
}

std::chrono::milliseconds poller_state::backoff_max() const {
  auto p = std::chrono::duration_cast<std::chrono::milliseconds>(period());
  return p.count() > 0 ? std::min(config_.backoff_max, p) : config_.backoff_max;
}

failure poller_state::api_failure(const failure& f) const {
  auto detail = provider_->label() + " answered with an error: " + f.detail;
  switch (f.code) {
  case errc::not_found:
    return {errc::not_found, std::move(detail)};
  case errc::rate_limited:
    // The caller may ask again when the gate opens.
    return {errc::rate_limited, std::move(detail),
            f.retry_after
                ? std::optional{std::min(*f.retry_after, longest_provider_wait)}
                : std::nullopt};
  case errc::timeout:
    return {errc::timeout,
            provider_->label() + " did not answer in time: " + f.detail};
  default:
    return {errc::provider_error, std::move(detail)};
  }
}

std::optional<failure> poller_state::held_back() const {
  auto now = self_->clock().now();
  auto until = gate_.blocked_until(now);
  if (!until)
    return std::nullopt;
  auto wait = std::chrono::ceil<std::chrono::seconds>(*until - now);
  return failure{errc::rate_limited,
                 provider_->label()
                     + " asked us to wait before the next request; retry in "
                     + std::to_string(wait.count()) + " s",
                 wait};
}

// -- the gate -----------------------------------------------------------------

void poller_state::note_limits(const failure* f) {
  auto now = self_->clock().now();
  // A wait the provider stated: a 429's Retry-After, or a 503's (only
  // those carry one, providers/response_classifier).
  if (f && f->retry_after)
    gate_.block_until(now + provider_wait(*f->retry_after));
  // The provider's own window is spent: nothing it would answer before the
  // reset, whatever our budget says.
  auto limits = provider_->rate_limits();
  if (limits.remaining && *limits.remaining == 0 && limits.reset_seconds)
    gate_.block_until(
        now + provider_wait(std::chrono::seconds{*limits.reset_seconds}));
}

// A wait the provider asks for, at most longest_provider_wait: one header
// that says a day would otherwise stop every poll, sync and cancel of the
// provider for a day, until a restart. Asked again after that, a provider
// that meant it says so again, at the cost of one request.
std::chrono::seconds poller_state::provider_wait(std::chrono::seconds asked) {
  if (asked <= longest_provider_wait)
    return asked;
  log::warning("poller", "{}: asked to wait {} s; waiting {} s",
               provider_->name(), asked.count(), longest_provider_wait.count());
  return longest_provider_wait;
}

void poller_state::pump() {
  while (!waiting_.empty()) {
    auto now = self_->clock().now();
    auto wait = gate_.delay(now);
    if (wait > clock::duration::zero()) {
      if (!step_scheduled_) {
        step_scheduled_ = true;
        self_->delayed_send(self_, wait + std::chrono::milliseconds(1),
                            step_atom::value);
      }
      return;
    }
    gate_.spend(now);
    auto call = std::move(waiting_.front());
    waiting_.pop_front();
    call();
  }
}

void poller_state::step() {
  step_scheduled_ = false;
  pump();
}

template <class T>
void poller_state::ask_provider(
    std::function<void(providers::provider&, providers::provider_callback<T>)>
        call,
    std::function<void(result<T>&)> done) {
  // The completion arrives on the provider's thread and enters the actor as
  // a message, through a weak handle: a poller that is gone drops it.
  auto addr = caf::actor_cast<caf::actor_addr>(self_);
  providers::provider_callback<T> complete
      = [this, addr, done](result<T> r) mutable {
          auto strong = caf::actor_cast<poller_actor>(addr);
          if (!strong)
            return;
          caf::anon_send(strong, run_atom::value,
                         std::function<void()>{[this, done, r]() mutable {
                           note_limits(r ? nullptr : &r.error());
                           done(r);
                         }});
        };
  waiting_.push_back(
      [provider = provider_, call = std::move(call),
       complete = std::move(complete)] { call(*provider, complete); });
  pump();
}

template <class T>
std::function<void(result<T>&)>
poller_state::answer(caf::typed_response_promise<T> promise) {
  return [this, promise](result<T>& r) mutable {
    if (r)
      promise.deliver(std::move(*r));
    else
      promise.deliver(to_error(api_failure(r.error())));
  };
}

// -- cycles -------------------------------------------------------------------

bool poller_state::live(uint64_t id) const {
  return cycle_ && cycle_->id == id && id != 0;
}

bool poller_state::leads() const {
  return status_.leadership && status_.leadership->leading;
}

void poller_state::lead(const poll_leadership& l) {
  bool gained = l.leading && !leads();
  bool first_word = !status_.leadership;
  status_.leadership = l;
  // Readiness waits for the first cycle of a replica that polls, not for
  // one another replica runs.
  if (first_word && !l.leading)
    status_.settled = true;
  if (!l.leading)
    status_.next_cycle.reset();
  if (!gained || period() == clock::duration::zero())
    return;
  next_due_.reset();
  // Polling starts with a cycle, as at start. A sweep alone starts one
  // sweep from now when this replica leads from the start, but at once
  // when it takes over: when the replica that led last swept is unknown.
  if (config_.enabled || !first_word)
    self_->send(self_, tick_atom::value);
  else
    schedule_next(self_->clock().now());
}

void poller_state::schedule_next(clock::time_point started) {
  if (period() == clock::duration::zero() || !leads())
    return;
  auto now = self_->clock().now();
  auto due = circuit_until_ ? *circuit_until_ : started + period();
  // A cycle that was not a sweep (a sync_active refresh) does not push the
  // next sweep back.
  if (config_.sweep.count() > 0 && last_sweep_)
    due = std::min(due, *last_sweep_ + config_.sweep);
  next_due_ = due;
  auto wait = due > now ? due - now : clock::duration::zero();
  self_->delayed_send(self_, wait, tick_atom::value);
  status_.next_cycle = wall_in(wait);
}

void poller_state::tick() {
  auto now = self_->clock().now();
  if (!leads())
    return; // another replica polls; lead() starts again
  if (cycle_ || (next_due_ && now < *next_due_))
    return; // a stale timer: the current schedule has its own
  if (period() == clock::duration::zero())
    return; // polling was turned off and there is no sweep
  begin_cycle(false);
}

void poller_state::begin_cycle(bool requested) {
  if (cycle_)
    return;
  auto now = self_->clock().now();
  if (circuit_until_) {
    if (now < *circuit_until_ && !requested)
      return schedule_next(now);
    circuit_until_.reset();
    half_open_ = true;
    status_.circuit = "half_open";
  }
  poll_cycle c;
  c.id = next_cycle_id_++;
  c.started = now;
  c.deadline = now + config_.interval;
  c.report.started = now_ms();
  // Without a sweep every cycle asks about every job, as before there was
  // one; with it, jobs the provider answered 404 for are asked once per
  // sweep, not once per cycle.
  c.sweep = config_.sweep.count() == 0 || !last_sweep_
            || now - *last_sweep_ >= config_.sweep;
  if (c.sweep)
    last_sweep_ = now;
  c.report.sweep = c.sweep;
  cycle_ = std::move(c);
  status_.cycle_running = true;
  status_.next_cycle.reset();
  auto id = cycle_->id;
  self_
      ->request(reader_, caf::infinite, active_atom::value,
                provider_name{provider_->name()})
      .then([this, id](std::vector<job>& jobs) { on_active(id, jobs); },
            [this, id](caf::error& e) {
              if (!live(id))
                return;
              cycle_->report.last_error = from_error(e).detail;
              end_cycle(false);
            });
}

void poller_state::on_active(uint64_t id, std::vector<job>& jobs) {
  if (!live(id))
    return;
  auto& c = *cycle_;
  c.oldest_created = std::numeric_limits<unix_ms>::max();
  std::set<std::string> active;
  for (const auto& x : jobs) {
    if (x.external_id.empty())
      continue; // never reached the provider
    active.insert(x.job_id);
    if (not_found_since(x) && !c.sweep)
      continue; // unknown to the provider: asked again at the next sweep
    if (config_.webhooks_configured || x.metadata.count("webhook_url") > 0)
      c.fed.insert(x.job_id);
    auto created = created_ms(x);
    c.remaining.emplace(x.external_id, created);
    c.oldest_created = std::min(c.oldest_created, created);
  }
  // A job that left the active set cannot be recovered again.
  for (auto i = recovered_logged_.begin(); i != recovered_logged_.end();)
    i = active.count(*i) > 0 ? std::next(i) : recovered_logged_.erase(i);
  c.report.jobs_active = c.remaining.size();
  c.pages = page_walk{cycle_page_budget(c.remaining.size())};
  if (c.remaining.empty())
    return end_cycle(true);
  advance();
}

// Issues the cycle's next request: list pages first, then single fetches
// for active jobs the list did not show.
void poller_state::advance() {
  auto& c = *cycle_;
  auto id = c.id;
  if (c.listing && !c.remaining.empty() && c.pages.may_go_on()) {
    auto cursor = c.pages.cursor();
    ask_provider<providers::provider_page>(
        [cursor](providers::provider& p, auto done) {
          p.list_page(cursor, std::move(done));
        },
        [this, id](result<providers::provider_page>& r) { on_page(id, r); });
    return;
  }
  c.listing = false;
  if (!c.remaining.empty()) {
    auto external_id = c.remaining.begin()->first;
    ask_provider<provider_snapshot>(
        [external_id](providers::provider& p, auto done) {
          p.get(external_id, std::move(done));
        },
        [this, id, external_id](result<provider_snapshot>& r) {
          on_single(id, external_id, r);
        });
    return;
  }
  end_cycle(true);
}

void poller_state::on_page(uint64_t id, result<providers::provider_page>& r) {
  if (!live(id))
    return;
  auto& c = *cycle_;
  ++c.report.requests;
  if (!r)
    return on_step_error(r.error());
  c.attempt = 0;
  ++c.report.pages;
  auto& page = *r;
  for (auto& s : page.jobs)
    if (c.remaining.erase(s.external_id) > 0) {
      ++c.report.jobs_checked;
      c.found.push_back(std::move(s));
    }
  // Newest first: once a page reaches jobs older than the oldest active one,
  // every active job the list still shows has been seen.
  if (!page.jobs.empty() && page.jobs.back().created_at) {
    auto last = parse_rfc3339(*page.jobs.back().created_at);
    if (last && *last < c.oldest_created)
      c.listing = false;
  }
  if (c.pages.take(page.next) == page_walk::end::circle) {
    ++c.report.errors;
    c.report.last_error = provider_->label()
                          + "'s list links go round in a circle; the jobs "
                            "it did not show are fetched one by one";
    log::warning("poller", "{}: {}", provider_->name(), c.report.last_error);
  }
  advance();
}

void poller_state::on_single(uint64_t id, const std::string& external_id,
                             result<provider_snapshot>& r) {
  if (!live(id))
    return;
  auto& c = *cycle_;
  ++c.report.requests;
  if (!r) {
    if (r.error().code == errc::not_found) {
      // The provider forgot the job (its data retention, or another
      // account's job): noted, and lost if it stays so (note_missing).
      c.remaining.erase(external_id);
      c.not_found.push_back(external_id);
      ++c.report.jobs_not_found;
      ++c.report.errors;
      c.report.last_error = r.error().detail;
      return advance();
    }
    return on_step_error(r.error());
  }
  c.attempt = 0;
  if (c.remaining.erase(external_id) > 0)
    ++c.report.jobs_checked;
  c.found.push_back(std::move(*r));
  advance();
}

void poller_state::on_step_error(const failure& f) {
  auto& c = *cycle_;
  ++c.report.errors;
  c.report.last_error = f.detail;
  if (!providers::is_transient(f.code))
    return end_cycle(false);
  ++c.attempt;
  auto delay
      = backoff_delay(c.attempt, config_.backoff_initial, backoff_max(), rng_);
  status_.backoff_seconds = static_cast<double>(delay.count()) / 1000.0;
  if (self_->clock().now() + delay >= c.deadline)
    return end_cycle(false);
  auto id = c.id;
  self_->delayed_send(self_, delay, run_atom::value,
                      std::function<void()>{[this, id] {
                        if (live(id))
                          advance();
                      }});
}

void poller_state::cut_cycle(uint64_t id) {
  if (!live(id))
    return;
  cycle_->cut_short = true;
  end_cycle(false);
}

// Stores what the cycle found in one batch, then the jobs the provider
// answered 404 for, then finishes the cycle.
void poller_state::end_cycle(bool complete) {
  auto& c = *cycle_;
  auto found = std::move(c.found);
  c.found.clear();
  auto not_found = std::move(c.not_found);
  c.not_found.clear();
  // From here on, late provider answers for this cycle are ignored.
  c.id = 0;
  if (found.empty())
    return note_missing(complete, {}, std::move(not_found));
  self_
      ->request(registry_, caf::infinite, apply_atom::value,
                snapshot_batch{std::move(found), false})
      .then(
          [this, complete, not_found](apply_summary& sum) mutable {
            note_missing(complete, std::move(sum), std::move(not_found));
          },
          [this](caf::error& e) {
            finish(false, {}, {},
                   "storing the results failed: " + from_error(e).detail);
          });
}

void poller_state::note_missing(bool complete, apply_summary stored,
                                std::vector<std::string> not_found) {
  if (not_found.empty())
    return finish(complete, stored, {}, {});
  missing_jobs m{provider_->name(), provider_->label(), std::move(not_found),
                 config_.lost_after, wall_now()};
  self_->request(registry_, caf::infinite, missing_atom::value, std::move(m))
      .then([this, complete, stored](
                missing_outcome& out) { finish(complete, stored, out, {}); },
            [this, stored](caf::error& e) {
              finish(false, stored, {},
                     "noting the jobs the provider does not know failed: "
                         + from_error(e).detail);
            });
}

void poller_state::count_recoveries(poll_cycle& c,
                                    const apply_summary& stored) {
  for (const auto& id : stored.moved) {
    if (c.fed.count(id) == 0)
      continue;
    ++c.report.jobs_recovered;
    if (recovered_logged_.insert(id).second)
      log::warning("poller",
                   "{}: job {} changed at the provider without a webhook "
                   "telling us; found by a {}",
                   provider_->name(), id, c.sweep ? "sweep" : "poll cycle");
  }
}

void poller_state::finish(bool complete, const apply_summary& stored,
                          const missing_outcome& missing,
                          const std::string& store_error) {
  auto c = std::move(*cycle_);
  cycle_.reset();
  auto now = self_->clock().now();
  auto changed = stored.updated;
  c.report.jobs_changed = changed;
  count_recoveries(c, stored);
  c.report.jobs_lost = missing.lost.size();
  for (const auto& id : missing.lost)
    log::warning("poller",
                 "{}: job {} is lost: the provider has not known it for {} "
                 "s; stored as failed",
                 provider_->name(), id, config_.lost_after.count());
  status_.recovered += c.report.jobs_recovered;
  status_.lost += c.report.jobs_lost;
  if (!store_error.empty()) {
    ++c.report.errors;
    c.report.last_error = store_error;
    complete = false;
  }
  c.report.complete = complete && c.remaining.empty();
  c.report.duration_ms
      = std::chrono::duration_cast<std::chrono::milliseconds>(now - c.started)
            .count();
  status_.last_cycle = c.report;
  status_.cycle_running = false;
  status_.first_cycle_done = true;
  status_.settled = true;
  ++status_.cycles;
  bool failed = !c.report.complete && !c.cut_short;
  if (failed) {
    ++status_.consecutive_failures;
    if (half_open_
        || status_.consecutive_failures
               >= static_cast<uint32_t>(config_.circuit_failure_threshold)) {
      circuit_until_ = now + circuit_open();
      status_.circuit = "open";
      log::warning(
          "poller",
          "{}: {} failed cycles in a row, pausing for {} s "
          "(last error: {})",
          provider_->name(), status_.consecutive_failures,
          std::chrono::duration_cast<std::chrono::seconds>(circuit_open())
              .count(),
          c.report.last_error);
    }
  } else if (c.report.complete) {
    if (status_.circuit != "closed")
      log::info("poller", "{}: provider reachable again, circuit closed",
                provider_->name());
    status_.consecutive_failures = 0;
    status_.circuit = "closed";
    status_.backoff_seconds = 0;
  }
  half_open_ = false;
  refresh_report r;
  r.checked = c.report.jobs_checked;
  r.updated = changed;
  r.failed = c.report.jobs_active - c.report.jobs_checked;
  r.complete = c.report.complete;
  for (auto& w : refresh_waiters_)
    w.deliver(r);
  refresh_waiters_.clear();
  log::debug("poller",
             "{}: cycle checked {}/{} active jobs with {} requests, "
             "{} changed",
             provider_->name(), c.report.jobs_checked, c.report.jobs_active,
             c.report.requests, changed);
  schedule_next(c.started);
}

caf::typed_response_promise<refresh_report>
poller_state::refresh(std::chrono::milliseconds deadline) {
  auto promise = self_->make_response_promise<refresh_report>();
  refresh_waiters_.push_back(promise);
  begin_cycle(true);
  if (cycle_) {
    auto id = cycle_->id;
    self_->delayed_send(self_, deadline, run_atom::value,
                        std::function<void()>{[this, id] { cut_cycle(id); }});
  }
  return promise;
}

// -- discovery ----------------------------------------------------------------

caf::typed_response_promise<std::vector<provider_snapshot>>
poller_state::discover(uint64_t limit) {
  auto d = std::make_shared<discovery>();
  d->limit = limit;
  // Every page but the last holds at least one job, so `limit` pages are
  // always enough.
  d->pages = page_walk{static_cast<size_t>(std::max<uint64_t>(limit, 1))};
  d->promise = self_->make_response_promise<std::vector<provider_snapshot>>();
  if (auto refused = held_back())
    d->promise.deliver(to_error(*refused));
  else if (limit == 0)
    d->promise.deliver(std::vector<provider_snapshot>{});
  else
    discover_next(d);
  return d->promise;
}

void poller_state::discover_next(std::shared_ptr<discovery> d) {
  auto cursor = d->pages.cursor();
  ask_provider<providers::provider_page>(
      [cursor](providers::provider& p, auto done) {
        p.list_page(cursor, std::move(done));
      },
      [this, d](result<providers::provider_page>& r) {
        if (!r) {
          d->promise.deliver(to_error(api_failure(r.error())));
          return;
        }
        for (auto& s : r->jobs)
          if (d->found.size() < d->limit)
            d->found.push_back(std::move(s));
        auto end = d->pages.take(r->next);
        if (end == page_walk::end::circle)
          log::warning("poller",
                       "{}: the list links go round in a circle; discovery "
                       "stops with the {} jobs found",
                       provider_->name(), d->found.size());
        if (d->found.size() >= d->limit || r->jobs.empty()
            || end != page_walk::end::none)
          d->promise.deliver(std::move(d->found));
        else
          discover_next(d);
      });
}

// -- logs, cancel, validate, secret -------------------------------------------

void poller_state::remember_log(const std::string& id, fetched_log entry) {
  // Entries nobody asked for in a while are forgotten, so the cache stays as
  // small as the set of watched jobs.
  if (log_cache_.size() > 1000) {
    for (auto i = log_cache_.begin(); i != log_cache_.end();) {
      if (entry.at - i->second.at > std::chrono::minutes(5))
        i = log_cache_.erase(i);
      else
        ++i;
    }
  }
  log_cache_[id] = std::move(entry);
}

caf::typed_response_promise<std::string>
poller_state::logs(const std::string& id, std::chrono::milliseconds max_age) {
  auto promise = self_->make_response_promise<std::string>();
  auto now = self_->clock().now();
  if (auto cached = log_cache_.find(id);
      cached != log_cache_.end() && now - cached->second.at < max_age) {
    if (cached->second.error)
      promise.deliver(*cached->second.error);
    else
      promise.deliver(cached->second.text);
    return promise;
  }
  if (!log_fetches_.join(id, promise))
    return promise; // one fetch per job at a time, shared
  ask_provider<providers::provider_log>(
      [id](providers::provider& p, auto done) { p.logs(id, std::move(done)); },
      [this, id](result<providers::provider_log>& r) {
        auto at = self_->clock().now();
        if (!r) {
          auto err = to_error(api_failure(r.error()));
          remember_log(id, fetched_log{at, {}, err});
          log_fetches_.fail(id, err);
          return;
        }
        remember_log(id, fetched_log{at, r->text, std::nullopt});
        // The fetch is also a fresh snapshot: store it (and its logs).
        auto snapshot = r->snapshot;
        snapshot.logs = r->text;
        caf::anon_send(registry_, apply_atom::value,
                       snapshot_batch{{std::move(snapshot)}, false});
        log_fetches_.deliver(id, r->text);
      });
  return promise;
}

caf::typed_response_promise<provider_snapshot>
poller_state::cancel(const std::string& id) {
  auto promise = self_->make_response_promise<provider_snapshot>();
  if (auto refused = held_back()) {
    promise.deliver(to_error(*refused));
    return promise;
  }
  ask_provider<provider_snapshot>(
      [id](providers::provider& p, auto done) {
        p.cancel(id, std::move(done));
      },
      [this, id, promise](result<provider_snapshot>& r) mutable {
        if (!r && r.error().code == errc::not_found)
          return confirm_unknown(id, r.error(), promise);
        answer(promise)(r);
      });
  return promise;
}

// The caller cancels the job locally on a not_found, for good (a cancelled
// job stays cancelled): one 404 is not enough for that. The job is asked
// for once more; a provider that still reports it gets its state stored,
// and the cancel fails with what it said.
void poller_state::confirm_unknown(
    const std::string& id, const failure& refused,
    caf::typed_response_promise<provider_snapshot> promise) {
  ask_provider<provider_snapshot>(
      [id](providers::provider& p, auto done) { p.get(id, std::move(done)); },
      [this, id, refused, promise](result<provider_snapshot>& r) mutable {
        if (!r) {
          // Unknown twice: as the cancel said. A check that failed
          // otherwise answers with its own failure, which cancels nothing.
          promise.deliver(to_error(api_failure(
              r.error().code == errc::not_found ? refused : r.error())));
          return;
        }
        auto status = r->provider_status;
        caf::anon_send(registry_, apply_atom::value,
                       snapshot_batch{{std::move(*r)}, false});
        promise.deliver(to_error(
            failure{errc::provider_error,
                    provider_->label() + " answered the cancel of " + id
                        + " with 'not found', yet still reports the job"
                        + (status.empty() ? std::string{} : " (" + status + ")")
                        + "; nothing was cancelled: try again"}));
      });
}

caf::typed_response_promise<validation> poller_state::validate() {
  auto promise = self_->make_response_promise<validation>();
  if (auto refused = held_back()) {
    promise.deliver(to_error(*refused));
    return promise;
  }
  ask_provider<std::string>(
      [](providers::provider& p, auto done) { p.validate(std::move(done)); },
      [this, promise](result<std::string>& r) mutable {
        if (r)
          promise.deliver(validation{true, std::move(*r), {}});
        else if (r.error().code == errc::unauthorized)
          // An answer, not a failure: the provider refused the token.
          promise.deliver(validation{false, {}, r.error().detail});
        else
          promise.deliver(to_error(api_failure(r.error())));
      });
  return promise;
}

caf::typed_response_promise<std::string> poller_state::secret() {
  // Not cached here: the webhook receiver keeps the secret and asks again
  // only when a signature stops matching (a rotation).
  auto promise = self_->make_response_promise<std::string>();
  if (!secret_fetch_.join("", promise))
    return promise;
  ask_provider<std::string>(
      [](providers::provider& p, auto done) {
        p.webhook_secret(std::move(done));
      },
      [this](result<std::string>& r) {
        if (r)
          secret_fetch_.deliver("", *r);
        else
          secret_fetch_.fail("", to_error(api_failure(r.error())));
      });
  return promise;
}

poller_status poller_state::status() const {
  auto s = status_;
  auto now = self_->clock().now();
  if (auto until = gate_.blocked_until(now))
    s.retry_after_until = wall_in(*until - now);
  return s;
}

poller_actor::behavior_type
poller(poller_actor::stateful_pointer<poller_state> self, poller_config config,
       std::shared_ptr<providers::provider> provider, registry_actor registry,
       reader_actor reader) {
  self->state.init(std::move(config), std::move(provider), std::move(registry),
                   std::move(reader));
  return {
      [=](refresh_atom, int64_t deadline_ms) {
        return self->state.refresh(std::chrono::milliseconds{deadline_ms});
      },
      [=](discover_atom, uint64_t limit) {
        return self->state.discover(limit);
      },
      [=](logs_atom, const provider_job_ref& job, int64_t max_age_ms) {
        return self->state.logs(job.value,
                                std::chrono::milliseconds{max_age_ms});
      },
      [=](cancel_atom, const provider_job_ref& job) {
        return self->state.cancel(job.value);
      },
      [=](validate_atom) { return self->state.validate(); },
      [=](secret_atom) { return self->state.secret(); },
      [=](status_atom) { return self->state.status(); },
      [=](polling_atom, const polling_preference& p) {
        return self->state.prefer(p);
      },
      [=](reload_atom, poller_config& config) {
        return self->state.reconfigure(std::move(config));
      },
      [=](tick_atom) { self->state.tick(); },
      [=](lead_atom, const poll_leadership& l) { self->state.lead(l); },
      [=](step_atom) { self->state.step(); },
      [=](run_atom, std::function<void()>& fn) { fn(); },
  };
}

} // namespace jobsync
