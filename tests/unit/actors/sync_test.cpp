#include "actors/sync.hpp"

#include "actors/reader.hpp"
#include "actors/registry.hpp"
#include "tests/support/test_jobs.hpp"
#include "tests/unit/actors/actor_fixture.hpp"

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

const unix_ms ten = *parse_rfc3339("2026-11-01T10:00:00Z");

provider_snapshot snap(const std::string& provider, const std::string& id,
                       job_status status) {
  provider_snapshot s;
  s.provider = provider;
  s.external_id = id;
  s.provider_status = std::string{to_string(status)};
  s.status = status;
  s.created_at = format_rfc3339(ten);
  return s;
}

// What a fake poller answers, and what it was asked.
struct poller_script {
  std::vector<provider_snapshot> found;
  std::optional<failure> fails;
  /// Answers wait in `held` until the test sends the poller `flush`.
  bool hold = false;
  std::vector<std::function<void()>> held;
  refresh_report report;
  std::optional<std::string> log_text;
  int discovers = 0;
  int refreshes = 0;
  int log_requests = 0;
};

// A poller seen through its interface, answering from a script (only what
// the sync actor asks of it).
caf::behavior fake_poller(caf::event_based_actor* self,
                          std::shared_ptr<poller_script> s) {
  // Answers now, or when the test releases it.
  auto answer = [self, s](auto value) {
    auto promise = self->make_response_promise();
    auto deliver = [promise, s, value]() mutable {
      if (s->fails)
        promise.deliver(to_error(*s->fails));
      else
        promise.deliver(value);
    };
    if (s->hold)
      s->held.push_back(deliver);
    else
      deliver();
    return promise;
  };
  return {
      // Releases the held answers (from inside the actor, as promises must
      // be delivered).
      [=](flush_atom) {
        auto held = std::move(s->held);
        s->held.clear();
        for (auto& release : held)
          release();
      },
      [=](discover_atom, uint64_t) {
        ++s->discovers;
        return answer(s->found);
      },
      [=](refresh_atom, int64_t) {
        ++s->refreshes;
        return answer(s->report);
      },
      [=](logs_atom, const provider_job_ref&, int64_t) {
        ++s->log_requests;
        auto promise = self->make_response_promise();
        // Without a text the poller never answers (a slow provider).
        if (s->log_text)
          promise.deliver(*s->log_text);
        return promise;
      },
      [=](cancel_atom, const provider_job_ref& id) {
        return answer(snap("a", id.value, job_status::cancelled));
      },
  };
}

struct sync_fixture : test::actor_fixture {
  registry_actor registry;
  reader_actor reader;
  std::map<std::string, std::shared_ptr<poller_script>> scripts;
  std::map<std::string, provider_entry> entries;
  sync_actor sync;
  sync_config config = app::sync_config_of(test::default_settings());

  sync_fixture() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(),
                   app::registry_config_of(test::default_settings()), sink));
    reader = track(sys->spawn(jobsync::reader, store.get()));
    sched->run();
  }

  poller_actor add_poller(const std::string& name, const std::string& label) {
    auto script = std::make_shared<poller_script>();
    scripts[name] = script;
    auto p
        = caf::actor_cast<poller_actor>(track(sys->spawn(fake_poller, script)));
    entries[name] = provider_entry{p, label, 100, {}};
    return p;
  }

  void start() {
    BOOST_REQUIRE(config.validate());
    sync = track(sys->spawn(jobsync::sync, config, registry, reader, entries));
    sched->run();
  }

  void seed(const std::string& id, job_status status,
            const std::string& provider = "a") {
    ask<apply_summary>(registry, put_atom::value,
                       test::make_job(id, status, ten, provider));
  }

  std::optional<job> stored(const std::string& id) {
    auto txn = store->begin_read();
    return *(*txn)->get(id);
  }

  uint64_t commits() {
    return ask<registry_health>(registry, health_atom::value).writer.commits;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sync_suite, sync_fixture)

BOOST_AUTO_TEST_CASE(discovery_gathers_every_provider_and_stores_once) {
  add_poller("a", "A");
  add_poller("b", "B");
  scripts["a"]->found = {snap("a", "x1", job_status::running),
                         snap("a", "x2", job_status::completed)};
  scripts["b"]->found = {snap("b", "y1", job_status::queued)};
  start();
  auto before = commits();
  auto r = ask<sync_report>(sync, sync_atom::value);
  BOOST_TEST(r.synced == 3u);
  BOOST_TEST(r.updated == 0u);
  BOOST_TEST(r.provider_label == "A, B");
  BOOST_TEST(commits() == before + 1);
  BOOST_TEST(stored("x2").has_value());
  BOOST_TEST(stored("y1").has_value());
}

BOOST_AUTO_TEST_CASE(concurrent_syncs_share_one_run) {
  add_poller("a", "A");
  scripts["a"]->found = {snap("a", "x1", job_status::running)};
  scripts["a"]->hold = true;
  start();
  auto one = send_request<sync_report>(sync, sync_atom::value);
  auto two = send_request<sync_report>(sync, sync_atom::value);
  sched->run();
  BOOST_TEST(scripts["a"]->discovers == 1);
  BOOST_TEST(!one->has_value());
  caf::anon_send(caf::actor_cast<caf::actor>(entries["a"].poller),
                 flush_atom::value);
  sched->run();
  BOOST_REQUIRE(one->has_value());
  BOOST_REQUIRE(two->has_value());
  BOOST_TEST(std::get<sync_report>(**one).synced == 1u);
  BOOST_TEST(std::get<sync_report>(**two).synced == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_provider_fails_the_sync_but_others_are_stored) {
  add_poller("a", "A");
  add_poller("b", "B");
  scripts["a"]->found = {snap("a", "x1", job_status::running)};
  scripts["b"]->fails = failure{errc::provider_error, "B is down"};
  start();
  auto f = ask_fails<sync_report>(sync, sync_atom::value);
  BOOST_TEST((f.code == errc::provider_error));
  BOOST_TEST(f.detail == "B is down");
  BOOST_TEST(stored("x1").has_value());
}

BOOST_AUTO_TEST_CASE(without_a_provider_to_ask_a_sync_is_unavailable) {
  entries["a"] = provider_entry{{}, "A", 100, "no token"};
  start();
  auto f = ask_fails<sync_report>(sync, sync_atom::value);
  BOOST_TEST((f.code == errc::unavailable));
}

BOOST_AUTO_TEST_CASE(sync_active_sums_every_pollers_report_then_lists) {
  add_poller("a", "A");
  add_poller("b", "B");
  scripts["a"]->report = refresh_report{3, 1, 0, true};
  scripts["b"]->report = refresh_report{2, 2, 1, true};
  seed("j1", job_status::running);
  start();
  auto slot
      = std::make_shared<std::optional<std::pair<job_page, refresh_report>>>();
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(sync, caf::infinite, refresh_atom::value, list_query{})
        .then([slot](job_page& p, refresh_report& r) {
          *slot = std::make_pair(p, r);
        });
  });
  sched->run();
  BOOST_REQUIRE(slot->has_value());
  auto& [page, report] = **slot;
  BOOST_TEST(page.total == 1u);
  BOOST_TEST(report.checked == 5u);
  BOOST_TEST(report.updated == 3u);
  BOOST_TEST(report.failed == 1u);
  BOOST_TEST(report.complete);
  // A poller that fails makes the report incomplete, not the listing.
  scripts["b"]->fails = failure{errc::internal, "gone"};
  slot->reset();
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(sync, caf::infinite, refresh_atom::value, list_query{})
        .then([slot](job_page& p, refresh_report& r) {
          *slot = std::make_pair(p, r);
        });
  });
  sched->run();
  BOOST_REQUIRE(slot->has_value());
  BOOST_TEST(!(**slot).second.complete);
  BOOST_TEST((**slot).first.total == 1u);
}

BOOST_AUTO_TEST_CASE(inline_progress_asks_the_poller_when_no_tail_is_stored) {
  add_poller("a", "A");
  scripts["a"]->log_text = "setup\nEpoch 2/4";
  seed("j1", job_status::running);
  start();
  auto p = ask<job_progress>(sync, progress_atom::value, job_ref{"j1"});
  BOOST_TEST(scripts["a"]->log_requests == 1);
  BOOST_TEST(p.progress.last_log.value_or("") == "Epoch 2/4");
}

BOOST_AUTO_TEST_CASE(
    a_poller_that_misses_the_fetch_deadline_is_not_waited_for) {
  add_poller("a", "A");
  seed("j1", job_status::running);
  start();
  auto p
      = send_request<job_progress>(sync, progress_atom::value, job_ref{"j1"});
  auto l = send_request<job_log_text>(sync, logs_atom::value, job_ref{"j1"});
  sched->run();
  BOOST_TEST(scripts["a"]->log_requests == 2);
  advance(config.log_fetch_timeout - 1ms);
  BOOST_TEST(!p->has_value());
  BOOST_TEST(!l->has_value());
  advance(1ms);
  // Progress falls back to what is stored (nothing yet); logs without a
  // stored tail cannot answer at all.
  BOOST_REQUIRE(p->has_value());
  BOOST_TEST(!std::get<job_progress>(**p).progress.last_log.has_value());
  BOOST_REQUIRE(l->has_value());
  BOOST_TEST((std::get<failure>(**l).code == errc::provider_error));
}

BOOST_AUTO_TEST_CASE(a_restarted_poller_replaces_the_old_one) {
  add_poller("a", "A");
  start();
  auto old_script = scripts["a"];
  auto script = std::make_shared<poller_script>();
  auto replacement
      = caf::actor_cast<poller_actor>(track(sys->spawn(fake_poller, script)));
  caf::anon_send(sync, put_atom::value, provider_name{"a"}, replacement);
  sched->run();
  auto slot = std::make_shared<bool>(false);
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(sync, caf::infinite, refresh_atom::value, list_query{})
        .then([slot](job_page&, refresh_report&) { *slot = true; });
  });
  sched->run();
  BOOST_TEST(*slot);
  BOOST_TEST(script->refreshes == 1);
  BOOST_TEST(old_script->refreshes == 0);
}

BOOST_AUTO_TEST_CASE(a_job_the_provider_forgot_is_cancelled_locally) {
  add_poller("a", "A");
  scripts["a"]->fails = failure{errc::not_found, "A does not know it"};
  seed("j1", job_status::running);
  start();
  auto x = ask<job>(sync, cancel_atom::value, job_ref{"j1"});
  BOOST_TEST((x.status == job_status::cancelled));
  BOOST_TEST(x.error_message.value_or("").find("no longer knows")
             != std::string::npos);
  BOOST_TEST((stored("j1")->status == job_status::cancelled));
  // A finished job cannot be cancelled.
  auto f = ask_fails<job>(sync, cancel_atom::value, job_ref{"j1"});
  BOOST_TEST((f.code == errc::invalid_job_state));
}

BOOST_AUTO_TEST_CASE(an_unknown_provider_cannot_be_validated) {
  add_poller("a", "A");
  start();
  auto f = ask_fails<validation>(sync, validate_atom::value,
                                 provider_name{"nope"});
  BOOST_TEST((f.code == errc::not_found));
}

// A provider jobsync knows but cannot ask (no token) is an answer, not an
// error: its token is not valid, and the answer says why.
BOOST_AUTO_TEST_CASE(a_known_provider_without_a_token_is_not_valid) {
  entries["a"] = provider_entry{{}, "A", 100, "jobsync has no API token"};
  start();
  auto v = ask<validation>(sync, validate_atom::value, provider_name{"a"});
  BOOST_TEST(!v.valid);
  BOOST_TEST(v.detail == "jobsync has no API token");
}

BOOST_AUTO_TEST_SUITE_END()
