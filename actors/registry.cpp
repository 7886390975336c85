#include "actors/registry.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"
#include "model/merge.hpp"
#include "model/missing.hpp"
#include "model/trainer_rules.hpp"

#include <caf/event_based_actor.hpp>

#include <chrono>

namespace jobsync {

namespace {

using std::chrono::steady_clock;

// Adds the time until the end of its scope to a total.
class time_into {
public:
  explicit time_into(double& total) : total_(total) {}
  time_into(const time_into&) = delete;
  time_into& operator=(const time_into&) = delete;
  ~time_into() {
    total_
        += std::chrono::duration<double>(steady_clock::now() - start_).count();
  }

private:
  double& total_;
  steady_clock::time_point start_ = steady_clock::now();
};

// Everything one flush produces: per-operation outcomes and the events to
// publish once the transaction is durable. Events get their ids from the
// store just before the commit (one sequence, in commit order).
struct flush_context {
  storage::write_view& txn;
  const registry_config& config;
  unix_ms now;
  std::vector<job_changed> events;

  void emit(const job& x, std::optional<job_status> previous,
            const std::optional<job_logs>& logs) {
    job_changed e;
    e.job_id = x.job_id;
    e.provider = x.provider;
    e.previous = previous;
    e.status = x.status;
    if (logs && x.status == job_status::running) {
      e.stage = logs->progress.stage;
      e.progress = logs->progress.progress;
    } else if (logs && x.status == job_status::completed && is_local_run(x)) {
      // A trainer's completion carries its final progress (100).
      e.progress = logs->progress.progress;
    }
    events.push_back(std::move(e));
  }
};

// What applying one snapshot did.
struct applied {
  enum kind { created, updated, unchanged, skipped } what = skipped;
  std::string job_id;
  job_status status = job_status::pending;
  /// A known job's status moved.
  bool moved = false;
};

// The id of the job a snapshot is about: the one stored for its provider's
// id, or the one it is created with (job_from_snapshot).
result<std::string> job_id_for(storage::write_view& txn,
                               const provider_snapshot& s) {
  auto id = txn.find_external(s.provider, s.external_id);
  if (!id)
    return id.error();
  return id->value_or(s.external_id);
}

result<std::optional<job>> find_job(storage::write_view& txn,
                                    const provider_snapshot& s) {
  auto id = job_id_for(txn, s);
  if (!id)
    return id.error();
  return txn.get(*id);
}

result<std::optional<job_logs>>
merge_snapshot_logs(flush_context& ctx, const std::string& job_id,
                    const provider_snapshot& s) {
  auto stored = ctx.txn.logs(job_id);
  if (!stored)
    return stored.error();
  if (!s.logs)
    return *stored;
  job_logs logs = stored->value_or(job_logs{});
  if (merge_logs(logs, *s.logs, ctx.config.log_tail_bytes, ctx.now)) {
    auto put = ctx.txn.put_logs(job_id, logs);
    if (!put)
      return put.error();
  }
  return std::optional<job_logs>{std::move(logs)};
}

// Applies a snapshot to the job it is about, `job_id` (job_id_for).
result<applied> apply_to(flush_context& ctx, const provider_snapshot& s,
                         bool create_unknown, const std::string& job_id) {
  auto found = ctx.txn.get(job_id);
  if (!found)
    return found.error();
  applied out;
  if (!*found) {
    if (!create_unknown)
      return out;
    auto fresh = job_from_snapshot(s, ctx.now);
    if (auto put = ctx.txn.put(fresh); !put)
      return put.error();
    auto logs = merge_snapshot_logs(ctx, fresh.job_id, s);
    if (!logs)
      return logs.error();
    ctx.emit(fresh, std::nullopt, *logs);
    return applied{applied::created, fresh.job_id, fresh.status};
  }
  job& stored = **found;
  auto merged = apply_snapshot(stored, s);
  // Every snapshot here is the provider's word (a list page, a fetch, a
  // cancel's answer or a verified webhook): one that vouches for the stored
  // state moves synced_at. Alone, that rewrites the header of the stored
  // value, and emits no event.
  // A confirmation also ends a run of 404s: the provider knows the job.
  bool known_again = merged.confirmed && clear_not_found(stored);
  if (merged.confirmed)
    stored.synced_at = ctx.now;
  if (merged.changed || known_again) {
    if (auto put = ctx.txn.put(stored); !put)
      return put.error();
  } else if (merged.confirmed) {
    if (auto confirmed = ctx.txn.confirm(stored.job_id, ctx.now); !confirmed)
      return confirmed.error();
  }
  auto logs = merge_snapshot_logs(ctx, stored.job_id, s);
  if (!logs)
    return logs.error();
  if (merged.status_changed)
    ctx.emit(stored, merged.old_status, *logs);
  return applied{merged.changed || known_again ? applied::updated
                                               : applied::unchanged,
                 stored.job_id, stored.status, merged.status_changed};
}

result<applied> apply_one(flush_context& ctx, const provider_snapshot& s,
                          bool create_unknown) {
  // The receivers refuse such ids; a provider's list page could still hold
  // one, which is left out before it reaches the store (PostgreSQL refuses
  // a 0 byte or malformed UTF-8 in any query, LMDB a key over 511 bytes)
  // and fails the commit.
  if (!storable_job_id(s.external_id)) {
    log::warning("registry",
                 "left out a job of {} whose id cannot be stored ({} bytes, "
                 "control characters or not UTF-8)",
                 s.provider, s.external_id.size());
    return applied{};
  }
  auto job_id = job_id_for(ctx.txn, s);
  if (!job_id)
    return job_id.error();
  return apply_to(ctx, s, create_unknown, *job_id);
}

void count(apply_summary& sum, const applied& a) {
  switch (a.what) {
  case applied::created:
    ++sum.created;
    break;
  case applied::updated:
    ++sum.updated;
    break;
  case applied::unchanged:
    ++sum.unchanged;
    break;
  case applied::skipped:
    ++sum.skipped;
    break;
  }
}

// Runs one staged operation inside the flush transaction. A returned
// failure is a storage failure that dooms the whole transaction; a logical
// refusal goes into the operation's reply instead.
result<void> run(flush_context& ctx, registry_state::staged_apply& op) {
  auto& reply = op.reply;
  apply_summary sum;
  auto events_before = ctx.events.size();
  for (const auto& s : op.batch.snapshots) {
    auto a = apply_one(ctx, s, op.batch.create_unknown);
    if (!a)
      return a.error();
    count(sum, *a);
    if (a->moved)
      sum.moved.push_back(a->job_id);
  }
  sum.events = ctx.events.size() - events_before;
  reply = sum;
  return {};
}

result<void> run(flush_context& ctx, registry_state::staged_webhook& op) {
  auto& reply = op.reply;
  webhook_outcome out;
  const auto& d = op.delivery;
  // The receiver refused ids that cannot be stored (storable_job_id).
  auto job_id = job_id_for(ctx.txn, d.snapshot);
  if (!job_id)
    return job_id.error();
  // Claimed before anything changes: a delivery of the same id to another
  // replica either committed already (a duplicate here) or is waited for.
  if (!d.webhook_id.empty()) {
    auto claimed = ctx.txn.claim_webhook(*job_id, d.webhook_id, d.received);
    if (!claimed)
      return claimed.error();
    if (!*claimed) {
      auto current = ctx.txn.get(*job_id);
      if (!current)
        return current.error();
      out.duplicate = true;
      if (*current) {
        out.job_id = (*current)->job_id;
        out.status = (*current)->status;
      }
      reply = out;
      return {};
    }
  }
  auto a = apply_to(ctx, d.snapshot, true, *job_id);
  if (!a)
    return a.error();
  out.created = a->what == applied::created;
  out.changed = a->what == applied::created || a->what == applied::updated;
  out.job_id = a->job_id;
  out.status = a->status;
  reply = out;
  return {};
}

result<void> run(flush_context& ctx, registry_state::staged_put& op) {
  auto& reply = op.reply;
  auto old = ctx.txn.get(op.value.job_id);
  if (!old)
    return old.error();
  apply_summary sum;
  if (*old && **old == op.value) {
    sum.unchanged = 1;
    reply = sum;
    return {};
  }
  if (auto put = ctx.txn.put(op.value); !put)
    return put.error();
  std::optional<job_status> previous;
  if (*old)
    previous = (*old)->status;
  if (!*old || previous != op.value.status) {
    ctx.emit(op.value, previous, std::nullopt);
    sum.events = 1;
  }
  (*old ? sum.updated : sum.created) = 1;
  reply = sum;
  return {};
}

result<void> run(flush_context& ctx, registry_state::staged_erase& op) {
  auto& reply = op.reply;
  auto old = ctx.txn.get(op.job_id);
  if (!old)
    return old.error();
  if (!*old) {
    reply = unknown_job(op.job_id);
    return {};
  }
  if (is_active((*old)->status)) {
    reply = failure{errc::invalid_job_state,
                    "Cannot delete job '" + op.job_id + "' while it is "
                        + std::string{to_string((*old)->status)}
                        + ". Cancel it first."};
    return {};
  }
  auto erased = ctx.txn.erase(op.job_id);
  if (!erased)
    return erased.error();
  reply = std::move(**old);
  return {};
}

result<void> run(flush_context& ctx, registry_state::staged_cancel& op) {
  auto& reply = op.reply;
  auto found = ctx.txn.get(op.job_id);
  if (!found)
    return found.error();
  if (!*found) {
    reply = unknown_job(op.job_id);
    return {};
  }
  job& x = **found;
  if (is_terminal(x.status)) {
    reply = cannot_cancel(x.job_id, x.status);
    return {};
  }
  auto before = x.status;
  x.status = job_status::cancelled;
  if (!x.completed_at)
    x.completed_at = format_rfc3339(now_ms());
  // Copied, not moved: a conflict with another replica runs the operation
  // again, and the second run must still have the note.
  if (!x.error_message)
    x.error_message = op.note;
  if (auto put = ctx.txn.put(x); !put)
    return put.error();
  ctx.emit(x, before, std::nullopt);
  reply = std::move(x);
  return {};
}

result<void> run(flush_context& ctx, registry_state::staged_trainer& op) {
  auto& reply = op.reply;
  const auto& e = op.event;
  if (!e.job_id) {
    // Never attributed to some "current" job: acknowledged, and counted
    // once committed.
    reply = trainer_outcome{};
    return {};
  }
  const auto& id = *e.job_id;
  auto found = ctx.txn.get(id);
  if (!found)
    return found.error();
  if (*found && !is_local_run(**found)) {
    reply = failure{errc::invalid_job_state,
                    "Job " + id
                        + " is not a local run; trainer reports apply to "
                          "local runs only"};
    return {};
  }
  bool created = !*found;
  job x = created ? local_job_from_event(e, ctx.now) : std::move(**found);
  auto stored_logs = ctx.txn.logs(id);
  if (!stored_logs)
    return stored_logs.error();
  auto logs = stored_logs->value_or(job_logs{});
  bool was_final = !created && is_terminal(x.status);
  auto effect
      = apply_trainer_event(x, logs, e, ctx.config.log_tail_bytes, ctx.now);
  // The trainer is a local run's provider: its report confirms the job's
  // state (a final job has nothing left to confirm).
  if (!was_final)
    x.synced_at = ctx.now;
  if (created || effect.job_changed) {
    if (auto put = ctx.txn.put(x); !put)
      return put.error();
  } else if (!was_final) {
    if (auto confirmed = ctx.txn.confirm(id, ctx.now); !confirmed)
      return confirmed.error();
  }
  if (auto put = ctx.txn.put_logs(id, logs); !put)
    return put.error();
  if (effect.keep_image)
    if (auto put = ctx.txn.put_image(id, {*e.image, ctx.now}); !put)
      return put.error();
  std::optional<job_logs> published{std::move(logs)};
  if (created)
    ctx.emit(x, std::nullopt, published);
  else if (effect.status_changed)
    ctx.emit(x, effect.old_status, published);
  reply = trainer_outcome{true, created, x.job_id, x.status};
  return {};
}

// A job the provider answered 404 for: the first answer is noted; one that
// comes lost_after later, with no confirmation between (which clears the
// note), ends the job as lost.
result<void> run(flush_context& ctx, registry_state::staged_missing& op) {
  missing_outcome out;
  const auto& m = op.missing;
  for (const auto& external_id : m.external_ids) {
    provider_snapshot key;
    key.provider = m.provider;
    key.external_id = external_id;
    auto found = find_job(ctx.txn, key);
    if (!found)
      return found.error();
    if (!*found || is_terminal((*found)->status))
      continue;
    job& x = **found;
    auto before = x.status;
    if (note_not_found(x, m.at)) {
      ++out.noted;
    } else if (is_lost(x, m.at, m.lost_after)) {
      declare_lost(x, m.at, m.provider_label);
      out.lost.push_back(x.job_id);
    } else {
      continue;
    }
    if (auto put = ctx.txn.put(x); !put)
      return put.error();
    if (x.status != before)
      ctx.emit(x, before, std::nullopt);
  }
  op.reply = std::move(out);
  return {};
}

result<void> run(flush_context& ctx, registry_state::staged_settings& op) {
  for (const auto& [key, value] : op.batch.values)
    if (auto put = ctx.txn.put_setting(key, value); !put)
      return put.error();
  op.reply = uint64_t{op.batch.values.size()};
  return {};
}

// Local jobs whose trainer went silent fail; a report committed since the
// check looked keeps its job running.
result<void> run(flush_context& ctx, registry_state::staged_silence& op) {
  std::vector<std::string> failed;
  const auto& c = op.check;
  for (const auto& id : c.job_ids) {
    auto found = ctx.txn.get(id);
    if (!found)
      return found.error();
    if (!*found || !is_silent(**found, c.timeout, c.at))
      continue;
    job& x = **found;
    auto before = x.status;
    fail_silent(x, c.at);
    if (auto put = ctx.txn.put(x); !put)
      return put.error();
    ctx.emit(x, before, std::nullopt);
    failed.push_back(id);
  }
  op.reply = std::move(failed);
  return {};
}

template <class Op>
void answer(Op& op) {
  if (!op.reply)
    return;
  if (auto* f = std::get_if<failure>(&*op.reply))
    op.requester.deliver(*f);
  else
    op.requester.deliver(std::move(std::get<0>(*op.reply)));
}

// Whether an attempt failed in one operation for a reason of its own
// (a record it cannot read, a value the store refuses), not because the
// store cannot take writes now (full, unreachable, slow) or lost a race.
bool fails_alone(const registry_state::attempt& a) {
  return a.failed && a.failed_op && !a.conflict
         && a.failed->code != errc::unavailable
         && a.failed->code != errc::timeout;
}

} // namespace

result<void> registry_config::validate() const {
  if (log_tail_bytes < 256)
    return failure{errc::bad_request, "log tail must keep at least 256 bytes"};
  if (webhook_retention.count() <= 0 || prune_interval.count() <= 0)
    return failure{errc::bad_request,
                   "webhook retention and prune interval must be positive"};
  return {};
}

result<void> registry_state::init() {
  auto txn = store->begin_read();
  if (!txn)
    return txn.error();
  auto last = (*txn)->last_event_id();
  if (!last)
    return last.error();
  health.last_event_id = *last;
  return {};
}

result<void> registry_state::timed_commit(storage::write_view& txn) {
  time_into committing{health.writer.commit_seconds};
  return txn.commit();
}

registry_state::attempt
registry_state::try_commit(std::vector<staged_op>& ops) {
  auto txn = store->begin_write();
  if (!txn)
    return {txn.error(), false, {}, {}};
  auto failed = [&](const failure& f, std::optional<size_t> op = {}) {
    return attempt{f, (*txn)->conflicted(), {}, op};
  };
  flush_context ctx{**txn, config, now_ms(), {}};
  for (auto& op : ops)
    std::visit([](auto& x) { x.reply.reset(); }, op);
  for (size_t i = 0; i < ops.size(); ++i) {
    auto ran = std::visit([&](auto& x) { return run(ctx, x); }, ops[i]);
    if (!ran)
      return failed(ran.error(), i);
  }
  if (auto numbered = (*txn)->number_events(ctx.events); !numbered)
    return failed(numbered.error());
  if (auto committed = timed_commit(**txn); !committed)
    return failed(committed.error());
  return {std::nullopt, false, std::move(ctx.events), {}};
}

void registry_state::flush() {
  time_into busy{health.writer.busy_seconds};
  flush_scheduled = false;
  auto ops = std::move(staged);
  staged.clear();
  attempt outcome;
  // A conflict with another replica's transaction (a deadlock, a job it
  // created meanwhile) is resolved by running everything again: the
  // operations read the store afresh, so the merge starts from its rows.
  for (int tries = 1;;) {
    outcome = try_commit(ops);
    if (fails_alone(outcome)) {
      // The transaction is dropped with the operation; the others, which
      // may share the group with it by chance, run again without it.
      auto i = *outcome.failed_op;
      log::error("registry", "a request failed, left out of its commit: {}",
                 outcome.failed->detail);
      std::visit([&](auto& x) { x.requester.deliver(*outcome.failed); },
                 ops[i]);
      ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(i));
      if (ops.empty())
        return;
      continue;
    }
    if (!outcome.failed || !outcome.conflict || tries == max_attempts)
      break;
    ++tries;
    log::debug("registry", "commit of {} requests conflicted ({}); again",
               ops.size(), outcome.failed->detail);
  }
  if (outcome.failed) {
    auto f = *outcome.failed;
    if (outcome.conflict)
      f = failure{errc::unavailable,
                  "The database kept reporting conflicts with other "
                  "writers; try again: "
                      + f.detail};
    log::error("registry", "commit of {} requests failed: {}", ops.size(),
               f.detail);
    for (auto& op : ops)
      std::visit([&](auto& x) { x.requester.deliver(f); }, op);
    return;
  }
  ++health.writer.commits;
  health.writer.requests += ops.size();
  if (!outcome.events.empty())
    health.last_event_id = outcome.events.back().event_id;
  count_trainer_reports(ops);
  // The events reach the hub's mailbox before any answer leaves: whoever
  // acts on an answer (subscribes, resumes from an id it saw) comes after
  // them, so a stream opened after a sync's answer never gets the sync's
  // discoveries as live events.
  if (sink && !outcome.events.empty())
    caf::anon_send(sink, std::move(outcome.events));
  for (auto& op : ops)
    std::visit([](auto& x) { answer(x); }, op);
}

void registry_state::count_trainer_reports(const std::vector<staged_op>& ops) {
  for (const auto& op : ops) {
    auto* t = std::get_if<staged_trainer>(&op);
    if (!t || !t->reply)
      continue;
    ++health.trainer_reports;
    if (auto* o = std::get_if<trainer_outcome>(&*t->reply); o && !o->attributed)
      ++health.unattributed_reports;
  }
}

registry_health registry_state::current_health() {
  auto ok = store->check();
  health.writable = static_cast<bool>(ok);
  health.reason = ok ? std::string{} : ok.error().detail;
  return health;
}

result<size_t> registry_state::prune_webhooks() {
  time_into busy{health.writer.busy_seconds};
  auto txn = store->begin_write();
  if (!txn)
    return txn.error();
  auto cutoff = now_ms()
                - std::chrono::duration_cast<std::chrono::milliseconds>(
                      config.webhook_retention)
                      .count();
  auto removed = (*txn)->prune_webhooks(cutoff);
  if (!removed)
    return removed.error();
  if (auto committed = timed_commit(**txn); !committed)
    return committed.error();
  return *removed;
}

namespace {

// The type of an operation's answer.
template <class Op>
using answer_of = typename decltype(Op::requester)::value_type;

// Queues an operation for the next flush and schedules one if needed. The
// flush message queues behind everything already in the mailbox, so one
// transaction takes all of it (group commit). Answered after the commit,
// through the requester that rides with the operation.
template <class Op>
void stage_op(registry_actor::stateful_pointer<registry_state> self, Op op) {
  auto& st = self->state;
  st.staged.emplace_back(std::move(op));
  if (!st.flush_scheduled) {
    st.flush_scheduled = true;
    self->send(self, flush_atom::value);
  }
}

// Stages a request's operation; its promise is the handler's answer.
template <class Op, class... Payload>
auto stage(registry_actor::stateful_pointer<registry_state> self,
           Payload... payload) {
  auto promise = self->template make_response_promise<answer_of<Op>>();
  stage_op(self, Op{std::move(payload)..., promise, {}});
  return promise;
}

} // namespace

registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         storage::job_store* store, registry_config config,
         event_sink_actor sink) {
  auto& st = self->state;
  st.store = store;
  st.config = std::move(config);
  st.sink = std::move(sink);
  if (auto ok = st.init(); !ok) {
    log::error("registry", "cannot read the store: {}", ok.error().detail);
    self->quit(to_error(ok.error()));
    return registry_actor::behavior_type::make_empty_behavior();
  }
  // Requests staged before an exit message still get committed: the exit
  // may overtake the flush that was queued for them.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    if (!self->state.staged.empty())
      self->state.flush();
    self->quit(msg.reason);
  });
  self->delayed_send(self, st.config.prune_interval, prune_atom::value);
  return {
      [=](apply_atom, snapshot_batch& batch) {
        return stage<registry_state::staged_apply>(self, std::move(batch));
      },
      [=](webhook_atom, webhook_delivery& delivery) {
        return stage<registry_state::staged_webhook>(self, std::move(delivery));
      },
      [=](webhook_atom, webhook_delivery& delivery,
          answer_callback<webhook_outcome>& answer) {
        stage_op(self, registry_state::staged_webhook{
                           std::move(delivery), std::move(answer), {}});
      },
      [=](put_atom, job& value) {
        return stage<registry_state::staged_put>(self, std::move(value));
      },
      [=](trainer_atom, trainer_event& event) {
        return stage<registry_state::staged_trainer>(self, std::move(event));
      },
      [=](cancel_atom, job_ref& job_id, std::string& note) {
        return stage<registry_state::staged_cancel>(
            self, std::move(job_id.value), std::move(note));
      },
      [=](erase_atom, job_ref& job_id) {
        return stage<registry_state::staged_erase>(self,
                                                   std::move(job_id.value));
      },
      [=](silent_atom, silence_check& check) {
        return stage<registry_state::staged_silence>(self, std::move(check));
      },
      [=](missing_atom, missing_jobs& missing) {
        return stage<registry_state::staged_missing>(self, std::move(missing));
      },
      [=](put_atom, setting_batch& batch) {
        return stage<registry_state::staged_settings>(self, std::move(batch));
      },
      [=](health_atom) { return self->state.current_health(); },
      [=](flush_atom) { self->state.flush(); },
      [=](prune_atom) {
        auto removed = self->state.prune_webhooks();
        if (!removed)
          log::warning("registry", "pruning webhook ids failed: {}",
                       removed.error().detail);
        else if (*removed > 0)
          log::debug("registry", "forgot {} old webhook ids", *removed);
        self->delayed_send(self, self->state.config.prune_interval,
                           prune_atom::value);
      },
  };
}

} // namespace jobsync
