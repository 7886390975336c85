#include "actors/registry.hpp"

#include "tests/support/postgres_server.hpp"
#include "tests/support/test_jobs.hpp"
#include "tests/unit/actors/actor_fixture.hpp"

#include <future>

#include <caf/send.hpp>

using namespace jobsync;

namespace {

provider_snapshot snap(std::string id, std::string word) {
  provider_snapshot s;
  s.provider = "replicate";
  s.external_id = std::move(id);
  s.provider_status = word;
  if (word == "starting")
    s.status = job_status::queued;
  else if (word == "processing")
    s.status = job_status::running;
  else if (word == "succeeded")
    s.status = job_status::completed;
  else if (word == "canceled")
    s.status = job_status::cancelled;
  s.created_at = "2026-11-01T10:00:00Z";
  return s;
}

snapshot_batch batch(std::vector<provider_snapshot> xs, bool create = true) {
  return snapshot_batch{std::move(xs), create};
}

struct registry_fixture : test::actor_fixture {
  registry_actor registry;

  registry_fixture() {
    spawn_registry();
  }

  void spawn_registry() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(),
                   app::registry_config_of(test::default_settings()), sink));
    sched->run();
  }

  std::optional<job> stored(const std::string& id) {
    auto r = std::move(*store->begin_read());
    return *r->get(id);
  }

  registry_health health() {
    return ask<registry_health>(registry, health_atom::value);
  }

  // Another replica (PostgreSQL) that stores `x` in a transaction of its
  // own and commits it once a transaction here waits for its lock: a
  // registry that inserts x meanwhile loses the race (a conflict).
  struct other_replica {
    std::unique_ptr<storage::job_store> store;
    std::unique_ptr<storage::write_view> txn;
    std::future<bool> committed;
  };

  other_replica creating_meanwhile(const job& x) {
    other_replica r;
    auto opened = storage::job_store::open(options);
    BOOST_REQUIRE(opened);
    r.store = std::move(*opened);
    r.txn = std::move(*r.store->begin_write());
    BOOST_REQUIRE(r.txn->put(x));
    auto database = test::postgres_server::database_of(options.postgres.url);
    r.committed = std::async(std::launch::async, [txn = r.txn.get(), database] {
      bool waited = test::eventually(
          [&] { return test::shared_postgres().has_lock_waiters(database); });
      return waited && txn->commit();
    });
    return r;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(registry_suite, registry_fixture)

BOOST_AUTO_TEST_CASE(requests_that_arrive_together_share_one_commit) {
  auto before = health();
  auto commits_before = before.writer.commits;
  std::vector<test::actor_fixture::outcome<apply_summary>> slots;
  for (int i = 0; i < 50; ++i)
    slots.push_back(send_request<apply_summary>(
        registry, apply_atom::value,
        batch({snap("job-" + std::to_string(i), "starting")})));
  sched->run();
  for (auto& slot : slots) {
    BOOST_REQUIRE(slot->has_value());
    BOOST_TEST(std::get<apply_summary>(**slot).created == 1u);
  }
  auto after = health();
  BOOST_TEST(after.writer.commits == commits_before + 1);
  // The figures behind /metrics' jobsync_store_* counters: the requests
  // the commit carried, and the time it took within the flush's.
  BOOST_TEST(after.writer.requests == before.writer.requests + 50);
  auto committing = after.writer.commit_seconds - before.writer.commit_seconds;
  auto busy = after.writer.busy_seconds - before.writer.busy_seconds;
  BOOST_TEST(committing > 0.0);
  BOOST_TEST(busy > committing);
}

BOOST_AUTO_TEST_CASE(an_answer_is_sent_only_after_its_commit) {
  // The client checks, at the moment the answer arrives, that a fresh read
  // transaction already sees the change.
  auto seen_at_answer = std::make_shared<std::optional<bool>>();
  auto* st = store.get();
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(registry, caf::infinite, apply_atom::value,
                  batch({snap("p1", "processing")}))
        .then([=](apply_summary&) {
          auto r = std::move(*st->begin_read());
          *seen_at_answer = r->get("p1")->has_value();
        });
  });
  sched->run();
  BOOST_REQUIRE(seen_at_answer->has_value());
  BOOST_TEST(**seen_at_answer);
}

BOOST_AUTO_TEST_CASE(events_are_emitted_only_for_real_changes) {
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "starting")}));
  BOOST_REQUIRE(events->size() == 1u); // the discovery
  BOOST_TEST(!events->back().previous);
  BOOST_TEST((events->back().status == job_status::queued));
  // The same snapshot again: nothing changes, nothing is emitted.
  auto same = ask<apply_summary>(registry, apply_atom::value,
                                 batch({snap("p1", "starting")}));
  BOOST_TEST(same.unchanged == 1u);
  BOOST_TEST(events->size() == 1u);
  // A new cost without a status change: stored, no event.
  auto costly = snap("p1", "starting");
  costly.cost_usd = 1.0;
  auto updated
      = ask<apply_summary>(registry, apply_atom::value, batch({costly}));
  BOOST_TEST(updated.updated == 1u);
  BOOST_TEST(updated.events == 0u);
  BOOST_TEST(events->size() == 1u);
  // Two transitions in one batch: two events, in order, ids growing.
  auto two = ask<apply_summary>(
      registry, apply_atom::value,
      batch({snap("p1", "processing"), snap("p1", "succeeded")}));
  BOOST_TEST(two.events == 2u);
  BOOST_REQUIRE(events->size() == 3u);
  BOOST_TEST((*(*events)[1].previous == job_status::queued));
  BOOST_TEST(((*events)[1].status == job_status::running));
  BOOST_TEST((*(*events)[2].previous == job_status::running));
  BOOST_TEST(((*events)[2].status == job_status::completed));
  BOOST_TEST((*events)[0].event_id < (*events)[1].event_id);
  BOOST_TEST((*events)[1].event_id < (*events)[2].event_id);
  // A late, stale snapshot changes nothing.
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "processing")}));
  BOOST_TEST(events->size() == 3u);
  BOOST_TEST((stored("p1")->status == job_status::completed));
}

BOOST_AUTO_TEST_CASE(confirmations_move_synced_at_and_emit_nothing) {
  auto t0 = now_ms();
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "processing")}));
  BOOST_REQUIRE(events->size() == 1u);
  auto first = stored("p1")->synced_at;
  BOOST_REQUIRE(first);
  BOOST_TEST(*first >= t0);
  BOOST_TEST(*first <= now_ms());
  // Make the last confirmation old, then let each kind of answer arrive.
  auto age = [&] {
    auto x = *stored("p1");
    x.synced_at = 1000;
    auto w = store->begin_write();
    BOOST_REQUIRE(w);
    BOOST_REQUIRE((*w)->put(x));
    BOOST_REQUIRE((*w)->commit());
  };
  auto moved_since = [&](unix_ms t) {
    auto at = stored("p1")->synced_at;
    return at && *at >= t;
  };
  age();
  auto t1 = now_ms();
  auto same = ask<apply_summary>(registry, apply_atom::value,
                                 batch({snap("p1", "processing")}));
  BOOST_TEST(same.unchanged == 1u);
  BOOST_TEST(moved_since(t1), "a poll that found nothing new confirms");
  age();
  auto t2 = now_ms();
  ask<webhook_outcome>(registry, webhook_atom::value,
                       webhook_delivery{"msg_a", snap("p1", "processing"), t2});
  BOOST_TEST(moved_since(t2), "a webhook with the same status confirms");
  // What does not vouch for the stored state leaves it alone.
  age();
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "starting")}));
  BOOST_TEST(*stored("p1")->synced_at == 1000, "a stale snapshot");
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "paused")}));
  BOOST_TEST(*stored("p1")->synced_at == 1000, "an unknown word");
  ask<webhook_outcome>(registry, webhook_atom::value,
                       webhook_delivery{"msg_a", snap("p1", "processing"), 5});
  BOOST_TEST(*stored("p1")->synced_at == 1000, "a duplicate webhook");
  // None of it was an event; the status never moved.
  BOOST_TEST(events->size() == 1u);
  BOOST_TEST((stored("p1")->status == job_status::running));
  // A real change is stored whole, confirmation included.
  auto t3 = now_ms();
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "succeeded")}));
  BOOST_TEST(events->size() == 2u);
  BOOST_TEST(moved_since(t3));
}

BOOST_AUTO_TEST_CASE(a_refresh_does_not_resurrect_unknown_jobs) {
  auto sum = ask<apply_summary>(registry, apply_atom::value,
                                batch({snap("gone", "processing")}, false));
  BOOST_TEST(sum.skipped == 1u);
  BOOST_TEST(!stored("gone"));
  BOOST_TEST(events->empty());
}

// A provider's list page may hold an id no store can keep (too long, with
// a control character that would end it early in the keys kept beside a
// job, or malformed UTF-8, which PostgreSQL refuses): it is left out, and
// the rest of the batch is stored.
BOOST_AUTO_TEST_CASE(ids_that_cannot_be_stored_are_left_out_of_a_batch) {
  auto sum = ask<apply_summary>(
      registry, apply_atom::value,
      batch({snap(std::string(257, 'x'), "starting"),
             snap(std::string{"p1\0L", 4}, "starting"),
             snap("p1\xff", "starting"), snap("p2", "starting")}));
  BOOST_TEST(sum.created == 1u);
  BOOST_TEST(sum.skipped == 3u);
  BOOST_TEST(stored("p2").has_value());
  BOOST_TEST(!stored(std::string(257, 'x')));
  BOOST_TEST(events->size() == 1u);
}

BOOST_AUTO_TEST_CASE(logs_in_snapshots_feed_the_tail_and_the_event) {
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "starting")}));
  auto s = snap("p1", "processing");
  s.logs = "loading data\nStep 250/1000 - loss: 0.1\n";
  ask<apply_summary>(registry, apply_atom::value, batch({s}));
  BOOST_REQUIRE(events->size() == 2u);
  BOOST_TEST(*events->back().stage == "Training");
  BOOST_TEST(*events->back().progress == 25.0);
  auto r = std::move(*store->begin_read());
  auto logs = **r->logs("p1");
  BOOST_TEST(*logs.progress.last_log == "Step 250/1000 - loss: 0.1");
}

BOOST_AUTO_TEST_CASE(a_webhook_id_is_applied_once_even_within_one_commit) {
  webhook_delivery d{"msg_1", snap("p1", "processing"), 1000};
  auto first = send_request<webhook_outcome>(registry, webhook_atom::value, d);
  auto second = send_request<webhook_outcome>(registry, webhook_atom::value, d);
  sched->run();
  auto a = std::get<webhook_outcome>(**first);
  auto b = std::get<webhook_outcome>(**second);
  BOOST_TEST(a.created);
  BOOST_TEST(!a.duplicate);
  BOOST_TEST(b.duplicate);
  BOOST_TEST(b.job_id == "p1");
  BOOST_TEST(events->size() == 1u);
  // Later, too, and even if the body differs.
  webhook_delivery again{"msg_1", snap("p1", "succeeded"), 2000};
  auto c = ask<webhook_outcome>(registry, webhook_atom::value, again);
  BOOST_TEST(c.duplicate);
  BOOST_TEST((stored("p1")->status == job_status::running));
  BOOST_TEST(events->size() == 1u);
}

BOOST_AUTO_TEST_CASE(only_terminal_jobs_can_be_erased) {
  ask<apply_summary>(
      registry, apply_atom::value,
      batch({snap("run", "processing"), snap("done", "succeeded")}));
  auto busy = ask_fails<job>(registry, erase_atom::value, job_ref{"run"});
  BOOST_TEST((busy.code == errc::invalid_job_state));
  BOOST_TEST(stored("run").has_value());
  auto unknown = ask_fails<job>(registry, erase_atom::value, job_ref{"nope"});
  BOOST_TEST((unknown.code == errc::job_not_found));
  auto removed = ask<job>(registry, erase_atom::value, job_ref{"done"});
  BOOST_TEST(removed.job_id == "done");
  BOOST_TEST(!stored("done"));
}

BOOST_AUTO_TEST_CASE(a_put_stores_a_job_as_given) {
  job x;
  x.job_id = "local-1";
  x.type = job_type::local;
  x.status = job_status::running;
  x.created_at = "2026-11-01T10:00:00Z";
  auto sum = ask<apply_summary>(registry, put_atom::value, x);
  BOOST_TEST(sum.created == 1u);
  BOOST_TEST((*stored("local-1") == x));
  BOOST_TEST(ask<apply_summary>(registry, put_atom::value, x).unchanged == 1u);
  BOOST_TEST(events->size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_cancel_in_the_store_decides_on_the_stored_job) {
  job x;
  x.job_id = "local-2";
  x.type = job_type::local;
  x.status = job_status::running;
  x.created_at = "2026-11-01T10:00:00Z";
  x.metadata = {{"step", "10"}};
  ask<apply_summary>(registry, put_atom::value, x);
  // A change committed after the canceller read its copy (a trainer
  // report, here a put) is kept: the cancel changes only the status, the
  // end time and, when the job has none, the error message.
  auto newer = x;
  newer.metadata = {{"step", "40"}};
  ask<apply_summary>(registry, put_atom::value, newer);
  auto events_before = events->size();
  auto cancelled = ask<job>(registry, cancel_atom::value, job_ref{"local-2"},
                            std::string{"the process was not reached"});
  BOOST_TEST((cancelled.status == job_status::cancelled));
  BOOST_TEST(cancelled.metadata.at("step") == "40");
  BOOST_TEST(cancelled.completed_at.has_value());
  BOOST_TEST(*cancelled.error_message == "the process was not reached");
  BOOST_TEST((*stored("local-2") == cancelled));
  BOOST_TEST(events->size() == events_before + 1);
  // A job that ended meanwhile is refused and left as it is.
  auto again = ask_fails<job>(registry, cancel_atom::value, job_ref{"local-2"},
                              std::string{"again"});
  BOOST_TEST((again.code == errc::invalid_job_state));
  BOOST_TEST((*stored("local-2") == cancelled));
  auto unknown = ask_fails<job>(registry, cancel_atom::value, job_ref{"nope"},
                                std::string{"x"});
  BOOST_TEST((unknown.code == errc::job_not_found));
  BOOST_TEST(events->size() == events_before + 1);
}

BOOST_AUTO_TEST_CASE(requests_staged_before_an_exit_are_still_committed) {
  auto slot = send_request<apply_summary>(registry, apply_atom::value,
                                          batch({snap("late", "starting")}));
  // Let the client send, then queue the exit before the registry runs.
  sched->run_once();
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched->run();
  BOOST_TEST(stored("late").has_value());
  BOOST_REQUIRE(slot->has_value());
  BOOST_TEST(std::holds_alternative<apply_summary>(**slot));
}

BOOST_AUTO_TEST_CASE(event_ids_keep_growing_across_a_restart) {
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("a", "starting"), snap("b", "starting")}));
  auto last = events->back().event_id;
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched->run();
  spawn_registry();
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("c", "starting")}));
  BOOST_TEST(events->back().event_id == last + 1);
  BOOST_TEST(health().last_event_id == last + 1);
}

BOOST_AUTO_TEST_CASE(a_full_store_fails_every_staged_request_and_readiness,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched->run();
  options.map_size_bytes = size_t{1} << 20;
  open_store();
  spawn_registry();
  std::vector<provider_snapshot> big;
  for (int i = 0; i < 5000; ++i) {
    auto s = snap("filler-" + std::to_string(i), "succeeded");
    s.error_message = std::string(300, 'x');
    big.push_back(s);
  }
  auto small = send_request<apply_summary>(registry, apply_atom::value,
                                           batch({snap("small", "starting")}));
  auto huge
      = send_request<apply_summary>(registry, apply_atom::value, batch(big));
  sched->run();
  BOOST_TEST((std::get<failure>(**small).code == errc::unavailable));
  BOOST_TEST((std::get<failure>(**huge).code == errc::unavailable));
  BOOST_TEST(!stored("small"));
  BOOST_TEST(events->empty());
  auto h = health();
  BOOST_TEST(!h.writable);
  BOOST_TEST(h.reason.find("map_size_mb") != std::string::npos);
  // Writes that fit succeed again and readiness returns.
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("small", "starting")}));
  BOOST_TEST(health().writable);
}

BOOST_AUTO_TEST_CASE(a_request_that_fails_alone_leaves_its_commit_to_the_rest) {
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("unreadable", "processing")}));
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  sched->run();
  store.reset();
  test::overwrite_stored_job(options, "unreadable", "not a stored job");
  open_store();
  spawn_registry();
  events->clear();
  auto commits_before = health().writer.commits;
  auto broken = send_request<apply_summary>(
      registry, apply_atom::value, batch({snap("unreadable", "succeeded")}));
  auto fine = send_request<apply_summary>(registry, apply_atom::value,
                                          batch({snap("fine", "starting")}));
  sched->run();
  BOOST_REQUIRE(broken->has_value());
  BOOST_REQUIRE(std::holds_alternative<failure>(**broken));
  BOOST_TEST((std::get<failure>(**broken).code == errc::internal));
  BOOST_REQUIRE(fine->has_value());
  BOOST_REQUIRE(std::holds_alternative<apply_summary>(**fine));
  BOOST_TEST(std::get<apply_summary>(**fine).created == 1u);
  BOOST_TEST(stored("fine").has_value());
  // One commit, and only the committed request's event.
  BOOST_TEST(health().writer.commits == commits_before + 1);
  BOOST_REQUIRE(events->size() == 1u);
  BOOST_TEST(events->back().job_id == "fine");
}

BOOST_AUTO_TEST_CASE(an_unreachable_database_fails_writes_and_readiness,
                     *boost::unit_test::precondition(test::postgres_only{})) {
  ask<apply_summary>(registry, apply_atom::value,
                     batch({snap("p1", "starting")}));
  auto& server = test::shared_postgres();
  server.stop();
  auto f = ask_fails<apply_summary>(registry, apply_atom::value,
                                    batch({snap("p2", "starting")}));
  BOOST_TEST((f.code == errc::unavailable));
  auto h = health();
  BOOST_TEST(!h.writable);
  BOOST_TEST(h.reason.find("unavailable") != std::string::npos, h.reason);
  // Back without a restart of the registry: readiness first, then writes.
  server.start();
  BOOST_TEST(health().writable);
  auto sum = ask<apply_summary>(registry, apply_atom::value,
                                batch({snap("p2", "starting")}));
  BOOST_TEST(sum.created == 1u);
  BOOST_TEST(stored("p1").has_value());
}

BOOST_AUTO_TEST_CASE(a_job_another_replica_creates_meanwhile_is_merged,
                     *boost::unit_test::precondition(test::postgres_only{})) {
  // Another replica creates p1, running, and commits once this registry's
  // transaction waits for it; this registry's insert then loses the race,
  // and its second run merges a stale snapshot into the other's job.
  auto other
      = creating_meanwhile(test::make_job("p1", job_status::running, 1000));
  auto commits = health().writer.commits;
  auto sum = ask<apply_summary>(registry, apply_atom::value,
                                batch({snap("p1", "starting")}));
  BOOST_TEST(other.committed.get());
  BOOST_TEST(sum.created == 0u);
  BOOST_TEST(sum.updated + sum.unchanged == 1u);
  BOOST_TEST((stored("p1")->status == job_status::running));
  BOOST_TEST(events->empty());
  BOOST_TEST(health().writer.commits == commits + 1);
}

BOOST_AUTO_TEST_CASE(a_cancel_run_again_after_a_conflict_keeps_its_note,
                     *boost::unit_test::precondition(test::postgres_only{})) {
  // The cancel of q shares a transaction with a snapshot of p1, which
  // another replica creates meanwhile: the transaction conflicts and runs
  // again, and the cancel's second run still has its note.
  ask<apply_summary>(registry, put_atom::value,
                     test::make_job("q", job_status::queued, 1000));
  auto other
      = creating_meanwhile(test::make_job("p1", job_status::running, 1000));
  auto commits = health().writer.commits;
  auto cancelled = send_request<job>(registry, cancel_atom::value, job_ref{"q"},
                                     std::string{"by the test"});
  auto applied = send_request<apply_summary>(registry, apply_atom::value,
                                             batch({snap("p1", "starting")}));
  sched->run();
  BOOST_TEST(other.committed.get());
  BOOST_REQUIRE(applied->has_value());
  BOOST_TEST(std::get<apply_summary>(**applied).created == 0u);
  BOOST_REQUIRE(cancelled->has_value());
  BOOST_TEST(std::get<job>(**cancelled).error_message.value_or("")
             == "by the test");
  BOOST_TEST(stored("q")->error_message.value_or("") == "by the test");
  BOOST_TEST(health().writer.commits == commits + 1);
}

BOOST_AUTO_TEST_SUITE_END()
