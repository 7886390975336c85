#include "actors/poller.hpp"

#include "actors/reader.hpp"
#include "actors/registry.hpp"
#include "tests/support/test_jobs.hpp"
#include "tests/unit/actors/actor_fixture.hpp"
#include "tests/unit/actors/fake_provider.hpp"

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

// Created times of the seeded jobs: the active ones at 10:00, list entries
// around them.
const unix_ms ten = *parse_rfc3339("2026-11-01T10:00:00Z");

unix_ms at(int minutes_after_ten) {
  return ten + minutes_after_ten * 60000;
}

provider_snapshot snap(const std::string& id, job_status status,
                       unix_ms created) {
  provider_snapshot s;
  s.provider = "fake";
  s.external_id = id;
  s.provider_status = std::string{to_string(status)};
  s.status = status;
  s.created_at = format_rfc3339(created);
  return s;
}

providers::provider_page page(std::vector<provider_snapshot> jobs,
                              std::optional<std::string> next = {}) {
  providers::provider_page p;
  p.jobs = std::move(jobs);
  p.next = std::move(next);
  return p;
}

failure http_503() {
  return {errc::provider_error, "fake failed to handle the request (HTTP 503)"};
}

struct poller_fixture : test::actor_fixture {
  registry_actor registry;
  reader_actor reader;
  std::shared_ptr<test::fake_provider> provider
      = std::make_shared<test::fake_provider>();
  poller_actor poller;
  /// As jobsyncd would run it, from the default settings.
  poller_config config = app::poller_config_of(
      test::default_settings(), test::default_provider_settings());

  poller_fixture() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(),
                   app::registry_config_of(test::default_settings()), sink));
    reader = track(sys->spawn(jobsync::reader, store.get()));
    sched->run();
  }

  /// Stores an active job of the fake provider, created at `created`.
  void seed(const std::string& id, job_status status, unix_ms created = ten) {
    ask<apply_summary>(registry, put_atom::value,
                       test::make_job(id, status, created, "fake"));
  }

  void start() {
    BOOST_REQUIRE(config.validate());
    poller = track(sys->spawn(jobsync::poller, config,
                              std::shared_ptr<providers::provider>{provider},
                              registry, reader));
    sched->run();
  }

  poller_status status() {
    return ask<poller_status>(poller, status_atom::value);
  }

  job stored_job(const std::string& id) {
    auto txn = store->begin_read();
    auto x = (*txn)->get(id);
    BOOST_REQUIRE(x && *x);
    return **x;
  }

  job_status stored(const std::string& id) {
    auto txn = store->begin_read();
    auto x = (*txn)->get(id);
    BOOST_REQUIRE(x && *x);
    return (*x)->status;
  }

  void answer_page(result<providers::provider_page> r) {
    provider->answer_page(std::move(r));
    sched->run();
  }

  void answer_get(result<provider_snapshot> r) {
    provider->answer_get(std::move(r));
    sched->run();
  }

  using calls = std::vector<std::string>;

  // Starts with one running job, answers the first list with `refusal`,
  // and checks that the cycle's retry waits `held`, not a second less.
  void check_held_back(failure refusal, std::chrono::seconds held) {
    seed("a", job_status::running);
    start();
    answer_page(std::move(refusal));
    auto s = status();
    BOOST_REQUIRE(s.retry_after_until);
    BOOST_TEST(*s.retry_after_until <= now_ms() + held.count() * 1000);
    advance(held - 1s);
    BOOST_TEST(provider->calls.size() == 1u);
    advance(2s);
    BOOST_TEST(provider->calls == (calls{"list:", "list:"}));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(poller_suite, poller_fixture)

BOOST_AUTO_TEST_CASE(
    a_cycle_lists_first_and_fetches_only_what_the_list_missed) {
  seed("a", job_status::running);
  seed("b", job_status::queued);
  seed("c", job_status::running);
  start();
  BOOST_TEST(provider->calls == calls{"list:"});
  answer_page(page({snap("new", job_status::running, at(30)),
                    snap("a", job_status::completed, ten),
                    snap("b", job_status::running, ten)}));
  // The list ended (no next link): c is fetched on its own.
  BOOST_TEST(provider->calls == (calls{"list:", "get:c"}));
  answer_get(snap("c", job_status::failed, ten));
  BOOST_TEST(provider->pending() == 0u);
  BOOST_TEST((stored("a") == job_status::completed));
  BOOST_TEST((stored("b") == job_status::running));
  BOOST_TEST((stored("c") == job_status::failed));
  auto s = status();
  BOOST_REQUIRE(s.last_cycle);
  BOOST_TEST(s.last_cycle->requests == 2u);
  BOOST_TEST(s.last_cycle->pages == 1u);
  BOOST_TEST(s.last_cycle->jobs_active == 3u);
  BOOST_TEST(s.last_cycle->jobs_checked == 3u);
  BOOST_TEST(s.last_cycle->jobs_changed == 3u);
  BOOST_TEST(s.last_cycle->complete);
  BOOST_TEST(s.first_cycle_done);
  // A refresh never creates jobs: "new" was not stored.
  auto txn = store->begin_read();
  BOOST_TEST(!*(*txn)->get("new"));
}

BOOST_AUTO_TEST_CASE(the_next_cycle_starts_one_interval_after_the_last_began) {
  seed("a", job_status::running);
  start();
  answer_page(page({snap("a", job_status::running, ten)}));
  BOOST_TEST(status().cycles == 1u);
  advance(config.interval - 1s);
  BOOST_TEST(provider->calls.size() == 1u);
  advance(1s);
  BOOST_TEST(provider->calls == (calls{"list:", "list:"}));
}

BOOST_AUTO_TEST_CASE(paging_stops_at_a_page_older_than_the_oldest_active_job) {
  seed("a", job_status::running, at(0));
  seed("z", job_status::running, at(0));
  start();
  answer_page(page({snap("n1", job_status::running, at(120)),
                    snap("n2", job_status::running, at(60))},
                   "cursor-2"));
  BOOST_TEST(provider->calls.back() == "list:cursor-2");
  // This page reaches jobs older than every active one: the list shows
  // nothing more that matters, whatever its next link says.
  answer_page(page({snap("a", job_status::completed, at(0)),
                    snap("old", job_status::completed, at(-60))},
                   "cursor-3"));
  BOOST_TEST(provider->calls == (calls{"list:", "list:cursor-2", "get:z"}));
  answer_get(snap("z", job_status::running, at(0)));
  BOOST_TEST(status().last_cycle->complete);
}

BOOST_AUTO_TEST_CASE(paging_stops_when_the_next_links_go_round_in_a_circle) {
  seed("a", job_status::running, at(0));
  start();
  answer_page(page({snap("n1", job_status::running, at(60))}, "cursor-1"));
  answer_page(page({snap("n2", job_status::running, at(50))}, "cursor-1"));
  // The same link again: no third page, the job is fetched on its own.
  BOOST_TEST(provider->calls == (calls{"list:", "list:cursor-1", "get:a"}));
  answer_get(snap("a", job_status::completed, at(0)));
  auto s = status();
  BOOST_TEST((stored("a") == job_status::completed));
  BOOST_TEST(s.last_cycle->errors == 1u);
  BOOST_TEST(s.last_cycle->last_error.find("circle") != std::string::npos,
             s.last_cycle->last_error);
}

BOOST_AUTO_TEST_CASE(paging_stops_at_the_page_budget) {
  // One active job: a budget of 5 pages (0 x 2 + 5).
  seed("a", job_status::running, at(0));
  start();
  for (int i = 1; i <= 5; ++i)
    answer_page(
        page({snap("n" + std::to_string(i), job_status::running, at(100 - i))},
             "cursor-" + std::to_string(i)));
  BOOST_TEST(provider->calls.size() == 6u);
  BOOST_TEST(provider->calls.back() == "get:a");
}

BOOST_AUTO_TEST_CASE(discovery_stops_at_its_limit_and_at_a_circle) {
  config.enabled = false;
  start();
  auto hundred = [](int from) {
    std::vector<provider_snapshot> xs;
    for (int i = 0; i < 100; ++i)
      xs.push_back(
          snap("j" + std::to_string(from + i), job_status::completed, at(-i)));
    return xs;
  };
  auto found = send_request<std::vector<provider_snapshot>>(
      poller, discover_atom::value, uint64_t{150});
  sched->run();
  answer_page(page(hundred(0), "c1"));
  answer_page(page(hundred(100), "c2"));
  BOOST_REQUIRE(found->has_value());
  BOOST_TEST(std::get<0>(**found).size() == 150u);
  BOOST_TEST(provider->calls == (calls{"list:", "list:c1"}));
  // A circle ends the walk with what it found.
  provider->calls.clear();
  auto circled = send_request<std::vector<provider_snapshot>>(
      poller, discover_atom::value, uint64_t{1000});
  sched->run();
  answer_page(page(hundred(0), "c1"));
  answer_page(page(hundred(100), "c1"));
  BOOST_REQUIRE(circled->has_value());
  BOOST_TEST(std::get<0>(**circled).size() == 200u);
  BOOST_TEST(provider->calls.size() == 2u);
  BOOST_TEST(provider->pending() == 0u);
}

BOOST_AUTO_TEST_CASE(a_transient_failure_is_retried_with_backoff_in_the_cycle) {
  seed("a", job_status::running);
  start();
  answer_page(http_503());
  // Attempt 1 waits between half and all of backoff_initial.
  advance(config.backoff_initial / 2 - 1ms);
  BOOST_TEST(provider->calls.size() == 1u);
  advance(config.backoff_initial / 2 + 1ms);
  BOOST_TEST(provider->calls == (calls{"list:", "list:"}));
  BOOST_TEST(status().backoff_seconds > 0.0);
  answer_page(page({snap("a", job_status::completed, ten)}));
  auto s = status();
  BOOST_TEST(s.last_cycle->complete);
  BOOST_TEST(s.last_cycle->errors == 1u);
  BOOST_TEST(s.consecutive_failures == 0u);
  BOOST_TEST(s.backoff_seconds == 0.0);
  BOOST_TEST((stored("a") == job_status::completed));
}

// The circuit opens for circuit_open_seconds, but never longer than one
// interval: a provider that comes back is asked again within it.
BOOST_AUTO_TEST_CASE(failed_cycles_open_the_circuit_and_a_probe_closes_it) {
  config.circuit_failure_threshold = 2;
  BOOST_REQUIRE(config.circuit_open > config.interval);
  seed("a", job_status::running);
  start();
  // A refused token is not worth retrying: the cycle fails at once.
  answer_page(failure{errc::unauthorized, "fake refused the API token"});
  BOOST_TEST(status().consecutive_failures == 1u);
  BOOST_TEST(status().circuit == "closed");
  advance(config.interval);
  answer_page(failure{errc::unauthorized, "fake refused the API token"});
  auto s = status();
  BOOST_TEST(s.consecutive_failures == 2u);
  BOOST_TEST(s.circuit == "open");
  // Open: no cycle until the capped open period has passed.
  auto before = provider->calls.size();
  advance(config.interval - 1s);
  BOOST_TEST(provider->calls.size() == before);
  advance(1s);
  BOOST_TEST(provider->calls.size() == before + 1);
  BOOST_TEST(status().circuit == "half_open");
  answer_page(page({snap("a", job_status::running, ten)}));
  s = status();
  BOOST_TEST(s.circuit == "closed");
  BOOST_TEST(s.consecutive_failures == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_probe_opens_the_circuit_again_at_once) {
  config.circuit_failure_threshold = 1;
  seed("a", job_status::running);
  start();
  answer_page(failure{errc::unauthorized, "no"});
  BOOST_TEST(status().circuit == "open");
  advance(config.interval);
  BOOST_TEST(status().circuit == "half_open");
  answer_page(failure{errc::unauthorized, "still no"});
  BOOST_TEST(status().circuit == "open");
}

BOOST_AUTO_TEST_CASE(retry_after_holds_back_every_request_of_the_provider) {
  seed("a", job_status::running);
  start();
  answer_page(failure{errc::rate_limited, "slow down", 20s});
  auto s = status();
  BOOST_REQUIRE(s.retry_after_until);
  BOOST_TEST(*s.retry_after_until >= now_ms() + 19000);
  // A log fetch waits for the gate like the cycle's retry does.
  auto text = send_request<std::string>(poller, logs_atom::value,
                                        provider_job_ref{"a"}, int64_t{0});
  sched->run();
  advance(19s);
  BOOST_TEST(provider->calls.size() == 1u);
  advance(2s);
  // In the order they queued: the log fetch came before the cycle's retry.
  BOOST_TEST(provider->calls == (calls{"list:", "logs:a", "list:"}));
  BOOST_TEST(!text->has_value());
}

// A 503 with Retry-After: the provider says when it expects to be back.
BOOST_AUTO_TEST_CASE(a_503s_retry_after_holds_requests_back_too) {
  check_held_back(failure{errc::provider_error, "down (HTTP 503)", 20s}, 20s);
}

// A Retry-After of a day (a wrong header, a provider's bad moment) would
// stop every poll, sync and cancel of the provider until a restart.
BOOST_AUTO_TEST_CASE(a_retry_after_holds_back_ten_minutes_at_most) {
  check_held_back(failure{errc::rate_limited, "slow down", 86400s}, 600s);
  // A caller whose request the provider refuses so is told the same.
  auto cancelled = send_request<provider_snapshot>(poller, cancel_atom::value,
                                                   provider_job_ref{"a"});
  sched->run();
  answer_get(failure{errc::rate_limited, "slow down", 86400s});
  BOOST_REQUIRE(cancelled->has_value());
  BOOST_TEST(std::get<failure>(**cancelled).retry_after.value_or(0s).count()
             == 600);
}

BOOST_AUTO_TEST_CASE(an_exhausted_rate_limit_window_holds_requests_back) {
  config.enabled = false;
  start();
  provider->limits.remaining = 0;
  provider->limits.reset_seconds = 10;
  auto first = send_request<std::string>(poller, logs_atom::value,
                                         provider_job_ref{"a"}, int64_t{0});
  sched->run();
  provider->answer_logs(
      providers::provider_log{"step 1", snap("a", job_status::running, ten)});
  sched->run();
  BOOST_TEST(std::get<std::string>(**first) == "step 1");
  auto second = send_request<std::string>(poller, logs_atom::value,
                                          provider_job_ref{"b"}, int64_t{0});
  sched->run();
  advance(9s);
  BOOST_TEST(provider->calls == calls{"logs:a"});
  advance(2s);
  BOOST_TEST(provider->calls == (calls{"logs:a", "logs:b"}));
}

BOOST_AUTO_TEST_CASE(the_request_budget_spaces_requests_out) {
  // 60 a minute: bursts of ten seconds' worth, then one a second.
  config.requests_per_minute = 60;
  config.enabled = false;
  start();
  for (int i = 0; i < 12; ++i)
    send_request<std::string>(poller, logs_atom::value,
                              provider_job_ref{"j" + std::to_string(i)},
                              int64_t{0});
  sched->run();
  BOOST_TEST(provider->calls.size() == 10u);
  advance(1s + 2ms);
  BOOST_TEST(provider->calls.size() == 11u);
  advance(1s + 2ms);
  BOOST_TEST(provider->calls.size() == 12u);
}

BOOST_AUTO_TEST_CASE(sync_active_joins_the_cycle_and_its_deadline_cuts_it) {
  seed("a", job_status::running);
  seed("b", job_status::running);
  config.enabled = false;
  start();
  auto one = send_request<refresh_report>(poller, refresh_atom::value,
                                          int64_t{2000});
  auto two = send_request<refresh_report>(poller, refresh_atom::value,
                                          int64_t{2000});
  sched->run();
  BOOST_TEST(provider->calls == calls{"list:"});
  answer_page(page({snap("a", job_status::completed, ten)}));
  BOOST_TEST(provider->calls == (calls{"list:", "get:b"}));
  // b's answer does not come before the deadline: what was found is
  // stored and both callers hear the same report.
  advance(2s);
  BOOST_REQUIRE(one->has_value());
  BOOST_REQUIRE(two->has_value());
  auto r = std::get<refresh_report>(**one);
  BOOST_TEST(r.checked == 1u);
  BOOST_TEST(r.failed == 1u);
  BOOST_TEST(!r.complete);
  BOOST_TEST((stored("a") == job_status::completed));
  // Cut short is not a failure; the late answer is ignored.
  BOOST_TEST(status().consecutive_failures == 0u);
  answer_get(snap("b", job_status::completed, ten));
  BOOST_TEST((stored("b") == job_status::running));
}

BOOST_AUTO_TEST_CASE(a_job_the_provider_forgot_does_not_fail_the_cycle) {
  seed("a", job_status::running);
  start();
  answer_page(page({}));
  answer_get(failure{errc::not_found, "fake does not know this job"});
  auto s = status();
  BOOST_TEST(s.last_cycle->complete);
  BOOST_TEST(s.last_cycle->errors == 1u);
  BOOST_TEST(s.consecutive_failures == 0u);
}

BOOST_AUTO_TEST_CASE(logs_are_fetched_once_for_everyone_and_kept_while_young) {
  seed("a", job_status::running);
  config.enabled = false;
  start();
  auto ask_logs = [&] {
    return send_request<std::string>(poller, logs_atom::value,
                                     provider_job_ref{"a"}, int64_t{5000});
  };
  auto x = ask_logs();
  auto y = ask_logs();
  sched->run();
  BOOST_TEST(provider->calls == calls{"logs:a"});
  provider->answer_logs(providers::provider_log{
      "Epoch 1/2", snap("a", job_status::running, ten)});
  sched->run();
  BOOST_TEST(std::get<std::string>(**x) == "Epoch 1/2");
  BOOST_TEST(std::get<std::string>(**y) == "Epoch 1/2");
  // Young enough: answered from the last fetch.
  auto z = ask_logs();
  sched->run();
  BOOST_TEST(std::get<std::string>(**z) == "Epoch 1/2");
  BOOST_TEST(provider->calls.size() == 1u);
  advance(5s);
  ask_logs();
  sched->run();
  BOOST_TEST(provider->calls.size() == 2u);
}

BOOST_AUTO_TEST_CASE(provider_failures_reach_callers_with_the_providers_label) {
  config.enabled = false;
  start();
  auto cancelled = send_request<provider_snapshot>(poller, cancel_atom::value,
                                                   provider_job_ref{"a"});
  sched->run();
  answer_get(failure{errc::not_found, "fake does not know this job"});
  // Confirmed by a fetch before it is passed on.
  answer_get(failure{errc::not_found, "fake does not know this job"});
  BOOST_REQUIRE(cancelled->has_value());
  auto f = std::get<failure>(**cancelled);
  BOOST_TEST((f.code == errc::not_found));
  BOOST_TEST(f.detail.find("Fake answered with an error") == 0u, f.detail);
  auto secret = send_request<std::string>(poller, secret_atom::value);
  auto again = send_request<std::string>(poller, secret_atom::value);
  sched->run();
  BOOST_TEST(provider->calls.back() == "secret");
  provider->answer_text(http_503());
  sched->run();
  BOOST_TEST((std::get<failure>(**secret).code == errc::provider_error));
  BOOST_TEST((std::get<failure>(**again).code == errc::provider_error));
  // One secret fetch for both.
  BOOST_TEST(provider->calls == (calls{"cancel:a", "get:a", "secret"}));
}

// The sync actor cancels a job locally, for good, when the provider says
// it does not know it: one 404 (a provider's bad moment) must not do that
// to a job that is running there.
BOOST_AUTO_TEST_CASE(
    a_cancel_answered_not_found_is_believed_only_when_a_fetch_agrees) {
  config.enabled = false;
  start();
  seed("a", job_status::running);
  auto cancelled = send_request<provider_snapshot>(poller, cancel_atom::value,
                                                   provider_job_ref{"a"});
  sched->run();
  answer_get(failure{errc::not_found, "fake does not know this job"});
  BOOST_TEST(provider->calls == (calls{"cancel:a", "get:a"}));
  auto later = snap("a", job_status::completed, ten);
  answer_get(later);
  BOOST_REQUIRE(cancelled->has_value());
  auto f = std::get<failure>(**cancelled);
  BOOST_TEST((f.code == errc::provider_error));
  BOOST_TEST(f.detail.find("still reports the job (completed)")
                 != std::string::npos,
             f.detail);
  // What the fetch said is stored.
  BOOST_TEST((stored("a") == job_status::completed));
}

// A refused token is the provider's answer about it; only a provider that
// could not be asked (in time) is an error.
BOOST_AUTO_TEST_CASE(validate_answers_a_refused_token_as_not_valid) {
  config.enabled = false;
  start();
  auto refused = send_request<validation>(poller, validate_atom::value);
  sched->run();
  provider->answer_text(
      failure{errc::unauthorized, "fake refused the API token (HTTP 401)"});
  sched->run();
  auto v = std::get<validation>(**refused);
  BOOST_TEST(!v.valid);
  BOOST_TEST(v.detail.find("refused the API token") != std::string::npos);
  auto slow = send_request<validation>(poller, validate_atom::value);
  sched->run();
  provider->answer_text(failure{errc::timeout, "no answer in 30 s"});
  sched->run();
  BOOST_TEST((std::get<failure>(**slow).code == errc::timeout));
  auto down = send_request<validation>(poller, validate_atom::value);
  sched->run();
  provider->answer_text(http_503());
  sched->run();
  BOOST_TEST((std::get<failure>(**down).code == errc::provider_error));
}

// A 429 reaches the caller as one, with the provider's Retry-After; while
// it holds, people asking are answered at once rather than queued.
BOOST_AUTO_TEST_CASE(a_provider_429_reaches_the_caller_with_its_retry_after) {
  config.enabled = false;
  start();
  auto first = send_request<std::vector<provider_snapshot>>(
      poller, discover_atom::value, uint64_t{100});
  sched->run();
  answer_page(failure{errc::rate_limited, "slow down", 30s});
  auto f = std::get<failure>(**first);
  BOOST_TEST((f.code == errc::rate_limited));
  BOOST_TEST(f.retry_after.value_or(0s).count() == 30);
  advance(10s);
  auto second = send_request<std::vector<provider_snapshot>>(
      poller, discover_atom::value, uint64_t{100});
  sched->run();
  BOOST_REQUIRE(second->has_value());
  auto g = std::get<failure>(**second);
  BOOST_TEST((g.code == errc::rate_limited));
  BOOST_TEST(g.retry_after.value_or(0s).count() == 20);
  BOOST_TEST(provider->calls.size() == 1u);
}

// Replicas sharing a database: background cycles run only while this
// replica leads; what people ask for is served either way.
BOOST_AUTO_TEST_CASE(an_elected_poller_cycles_only_while_it_leads) {
  config.elected = true;
  seed("a", job_status::running);
  start();
  BOOST_TEST(provider->calls.empty());
  auto s = status();
  BOOST_TEST(!s.leadership);
  BOOST_TEST(!s.settled);
  // Another replica polls: still no cycle, and nothing to wait for.
  caf::anon_send(poller, lead_atom::value, poll_leadership{false, "B"});
  sched->run();
  advance(config.interval * 3);
  BOOST_TEST(provider->calls.empty());
  s = status();
  BOOST_REQUIRE(s.leadership);
  BOOST_TEST(s.leadership->leader == "B");
  BOOST_TEST(!s.leadership->leading);
  BOOST_TEST(s.settled);
  BOOST_TEST(!s.first_cycle_done);
  BOOST_TEST(!s.next_cycle);
  // sync_active on this replica asks the provider through this poller.
  auto refreshed = send_request<refresh_report>(poller, refresh_atom::value,
                                                int64_t{10000});
  sched->run();
  answer_page(page({snap("a", job_status::running, ten)}));
  BOOST_REQUIRE(refreshed->has_value());
  BOOST_TEST(std::get<refresh_report>(**refreshed).checked == 1u);
  advance(config.interval * 3);
  BOOST_TEST(provider->calls == calls{"list:"});
  BOOST_TEST(!status().next_cycle);
  // The leader is gone and this replica took over: a cycle at once, then
  // one per interval.
  caf::anon_send(poller, lead_atom::value,
                 poll_leadership{true, config.replica});
  sched->run();
  BOOST_TEST(provider->calls == (calls{"list:", "list:"}));
  answer_page(page({snap("a", job_status::completed, ten)}));
  BOOST_TEST((stored("a") == job_status::completed));
  seed("b", job_status::running);
  advance(config.interval);
  BOOST_TEST(provider->calls.size() == 3u);
  BOOST_TEST(status().leadership->leading);
  // Losing the lead during a cycle: that cycle ends, no other starts.
  caf::anon_send(poller, lead_atom::value, poll_leadership{false, "C"});
  sched->run();
  answer_page(page({snap("b", job_status::running, ten)}));
  advance(config.interval * 3);
  BOOST_TEST(provider->calls.size() == 3u);
  s = status();
  BOOST_TEST(s.cycles == 3u);
  BOOST_TEST(s.leadership->leader == "C");
  BOOST_TEST(!s.next_cycle);
}

BOOST_AUTO_TEST_CASE(a_poller_on_its_own_store_always_leads) {
  seed("a", job_status::running);
  start();
  auto s = status();
  BOOST_REQUIRE(s.leadership);
  BOOST_TEST(s.leadership->leading);
  BOOST_TEST(s.leadership->leader == config.replica);
  BOOST_TEST(!config.replica.empty());
  BOOST_TEST(provider->calls == calls{"list:"});
}

BOOST_AUTO_TEST_CASE(a_replica_that_leads_from_the_start_waits_for_its_cycle) {
  config.elected = true;
  seed("a", job_status::running);
  start();
  caf::anon_send(poller, lead_atom::value,
                 poll_leadership{true, config.replica});
  sched->run();
  BOOST_TEST(provider->calls == calls{"list:"});
  BOOST_TEST(!status().settled);
  answer_page(page({snap("a", job_status::running, ten)}));
  BOOST_TEST(status().settled);
}

// The reconcile sweep is a background cycle too: with polling off, only
// the leader sweeps; one that leads from the start sweeps a sweep interval
// later, one that takes over sweeps at once.
BOOST_AUTO_TEST_CASE(only_the_leader_sweeps) {
  config.enabled = false;
  config.sweep = 300s;
  config.elected = true;
  seed("a", job_status::running);
  start();
  caf::anon_send(poller, lead_atom::value,
                 poll_leadership{true, config.replica});
  sched->run();
  BOOST_TEST(provider->calls.empty());
  BOOST_TEST(status().next_cycle.has_value());
  advance(300s);
  BOOST_TEST(provider->calls == calls{"list:"});
  answer_page(page({snap("a", job_status::running, ten)}));
  // Another replica took over: no sweep here however long it leads.
  caf::anon_send(poller, lead_atom::value, poll_leadership{false, "B"});
  sched->run();
  advance(900s);
  BOOST_TEST(provider->calls.size() == 1u);
  BOOST_TEST(!status().next_cycle);
  // B died and this replica took over again: a sweep at once.
  caf::anon_send(poller, lead_atom::value,
                 poll_leadership{true, config.replica});
  sched->run();
  BOOST_TEST(provider->calls.size() == 2u);
  answer_page(page({snap("a", job_status::completed, ten)}));
  BOOST_TEST((stored("a") == job_status::completed));
  BOOST_TEST(status().last_cycle->sweep);
  // Then one sweep interval later (a sweep asks only about active jobs).
  seed("b", job_status::running);
  advance(299s);
  BOOST_TEST(provider->calls.size() == 2u);
  advance(1s);
  BOOST_TEST(provider->calls.size() == 3u);
}

// -- the reconcile sweep, recoveries, lost jobs
// --------------------------------

BOOST_AUTO_TEST_CASE(with_polling_off_the_sweep_still_reconciles) {
  config.enabled = false;
  config.sweep = 300s;
  seed("a", job_status::running);
  start();
  // No cycle at start: the first sweep comes one sweep interval later.
  BOOST_TEST(provider->calls.empty());
  advance(299s);
  BOOST_TEST(provider->calls.empty());
  advance(1s);
  BOOST_TEST(provider->calls == calls{"list:"});
  answer_page(page({snap("a", job_status::completed, ten)}));
  BOOST_TEST((stored("a") == job_status::completed));
  auto s = status();
  BOOST_TEST(s.last_cycle->sweep);
  BOOST_TEST(s.sweep_interval_seconds == 300);
  // Not polling, so readiness does not wait for it.
  BOOST_TEST(!s.enabled);
  seed("b", job_status::running);
  advance(300s);
  BOOST_TEST(provider->calls.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_change_no_webhook_delivered_counts_as_recovered) {
  config.enabled = false;
  config.sweep = 300s;
  auto fed = test::make_job("fed", job_status::running, ten, "fake");
  fed.metadata["webhook_url"] = "\"https://jobsync.example/api/webhooks/fake\"";
  ask<apply_summary>(registry, put_atom::value, fed);
  seed("plain", job_status::running);
  auto told = test::make_job("told", job_status::running, ten, "fake");
  told.metadata["webhook_url"] = fed.metadata["webhook_url"];
  ask<apply_summary>(registry, put_atom::value, told);
  start();
  advance(300s);
  // A webhook delivered "told"'s completion before the sweep saw it.
  ask<apply_summary>(
      registry, apply_atom::value,
      snapshot_batch{{snap("told", job_status::completed, ten)}, false});
  answer_page(page({snap("fed", job_status::completed, ten),
                    snap("plain", job_status::completed, ten),
                    snap("told", job_status::completed, ten)}));
  auto s = status();
  // Only the job fed by webhooks whose change no webhook brought.
  BOOST_TEST(s.recovered == 1u);
  BOOST_TEST(s.last_cycle->jobs_recovered == 1u);
  BOOST_TEST((stored("plain") == job_status::completed));
}

BOOST_AUTO_TEST_CASE(with_a_webhook_url_every_job_counts_as_fed) {
  config.webhooks_configured = true;
  seed("a", job_status::queued);
  start();
  answer_page(page({snap("a", job_status::running, ten)}));
  BOOST_TEST(status().recovered == 1u);
  advance(config.interval);
  answer_page(page({snap("a", job_status::completed, ten)}));
  BOOST_TEST(status().recovered == 2u);
}

BOOST_AUTO_TEST_CASE(a_job_unknown_for_lost_after_is_failed_once) {
  config.sweep = 60s;
  config.lost_after = 120s;
  seed("gone", job_status::running);
  start();
  // The first sweep: the list does not show it and a fetch answers 404.
  answer_page(page({}));
  answer_get(failure{errc::not_found, "fake does not know this job"});
  BOOST_TEST((stored("gone") == job_status::running));
  auto noted = stored_job("gone");
  BOOST_TEST(noted.metadata.count("provider_not_found_since") == 1u);
  BOOST_TEST(status().last_cycle->jobs_not_found == 1u);
  // Cycles between sweeps leave it alone: not fetched, not paged for.
  advance(config.interval);
  BOOST_TEST(provider->calls.size() == 2u);
  BOOST_TEST(!status().last_cycle->sweep);
  // Each sweep asks once; after lost_after it is lost.
  advance(config.interval);
  BOOST_TEST(status().last_cycle->sweep == false);
  answer_page(page({}));
  answer_get(failure{errc::not_found, "still unknown"});
  BOOST_TEST((stored("gone") == job_status::running));
  events->clear();
  advance(config.interval * 2);
  answer_page(page({}));
  answer_get(failure{errc::not_found, "still unknown"});
  auto lost = stored_job("gone");
  BOOST_TEST((lost.status == job_status::failed));
  BOOST_TEST(lost.provider_status.value_or("") == "not_found");
  BOOST_TEST(lost.error_message.value_or("").find(
                 "Lost: Fake has not known this job since ")
             == 0u);
  BOOST_TEST(status().lost == 1u);
  BOOST_REQUIRE(events->size() == 1u);
  BOOST_TEST((events->front().status == job_status::failed));
  // Never asked about again.
  auto calls_then = provider->calls.size();
  advance(config.sweep * 3);
  for (size_t i = calls_then; i < provider->calls.size(); ++i)
    BOOST_TEST(provider->calls[i] != "get:gone");
}

BOOST_AUTO_TEST_CASE(a_confirmation_between_404s_keeps_a_job_from_being_lost) {
  config.sweep = 60s;
  config.lost_after = 60s;
  seed("flaky", job_status::running);
  start();
  answer_page(page({}));
  answer_get(failure{errc::not_found, "not now"});
  BOOST_TEST(stored_job("flaky").metadata.count("provider_not_found_since")
             == 1u);
  // A webhook (or a list sighting) confirms it: the run of 404s is over.
  ask<apply_summary>(
      registry, apply_atom::value,
      snapshot_batch{{snap("flaky", job_status::running, ten)}, false});
  BOOST_TEST(stored_job("flaky").metadata.count("provider_not_found_since")
             == 0u);
  advance(config.sweep);
  answer_page(page({}));
  answer_get(failure{errc::not_found, "again"});
  // A fresh run of 404s begins: not lost, only noted again.
  BOOST_TEST((stored("flaky") == job_status::running));
  BOOST_TEST(stored_job("flaky").metadata.count("provider_not_found_since")
             == 1u);
}

BOOST_AUTO_TEST_CASE(backoff_is_capped_by_the_interval) {
  // Uncapped, the first retry would wait 50 to 100 s.
  config.backoff_initial = 100s;
  config.backoff_max = 600s;
  seed("a", job_status::running);
  start();
  answer_page(http_503());
  auto s = status();
  BOOST_TEST(s.backoff_seconds > 0.0);
  BOOST_TEST(s.backoff_seconds <= 30.0);
  // The next cycle still starts one interval after this one began.
  advance(config.interval);
  BOOST_TEST(provider->calls.size() == 2u);
}

// -- polling set at runtime
// ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_stop_ends_the_cycle_in_flight_and_no_other_starts) {
  config.sweep = 0s;
  seed("a", job_status::running);
  seed("b", job_status::running);
  start();
  BOOST_TEST(provider->calls == calls{"list:"});
  // The list answers for a, then b needs a fetch: stopped meanwhile.
  answer_page(page({snap("a", job_status::completed, ten)}));
  BOOST_TEST(provider->calls == (calls{"list:", "get:b"}));
  auto s = ask<poller_status>(poller, polling_atom::value,
                              polling_preference{false, std::nullopt});
  BOOST_TEST(!s.enabled);
  BOOST_TEST((s.preference == std::optional<bool>{false}));
  BOOST_TEST(s.reason.find("runtime") != std::string::npos, s.reason);
  sched->run();
  // What the cycle found is stored in one batch; b's late answer is not.
  BOOST_TEST((stored("a") == job_status::completed));
  answer_get(snap("b", job_status::failed, ten));
  BOOST_TEST((stored("b") == job_status::running));
  s = status();
  BOOST_TEST(!s.cycle_running);
  BOOST_TEST(s.cycles == 1u);
  BOOST_TEST(s.last_cycle->jobs_checked == 1u);
  // Stopped, not failed: the circuit stays closed.
  BOOST_TEST(s.consecutive_failures == 0u);
  BOOST_TEST(!s.next_cycle);
  advance(config.interval * 10);
  BOOST_TEST(provider->calls.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_start_runs_a_cycle_now_and_null_goes_back_to_the_rule) {
  config.enabled = false;
  config.sweep = 0s;
  seed("a", job_status::running);
  start();
  BOOST_TEST(provider->calls.empty());
  auto s = ask<poller_status>(poller, polling_atom::value,
                              polling_preference{true, 7});
  BOOST_TEST(s.enabled);
  BOOST_TEST(s.interval_seconds == 7);
  BOOST_TEST(provider->calls == calls{"list:"});
  answer_page(page({snap("a", job_status::running, ten)}));
  // The next cycle comes at the new interval.
  advance(6s);
  BOOST_TEST(provider->calls.size() == 1u);
  advance(1s);
  BOOST_TEST(provider->calls.size() == 2u);
  answer_page(page({snap("a", job_status::running, ten)}));
  // The same preference again changes nothing (no extra cycle).
  ask<poller_status>(poller, polling_atom::value, polling_preference{true, 7});
  BOOST_TEST(provider->calls.size() == 2u);
  // Back to the configured rule: off, at the configured interval.
  s = ask<poller_status>(poller, polling_atom::value, polling_preference{});
  BOOST_TEST(!s.enabled);
  BOOST_TEST(!s.preference);
  BOOST_TEST(s.reason == config.reason);
  BOOST_TEST(s.interval_seconds == static_cast<int>(config.interval.count()));
  advance(config.interval * 10);
  BOOST_TEST(provider->calls.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_stored_preference_applies_from_the_start) {
  config.preference = polling_preference{false, std::nullopt};
  config.sweep = 0s;
  seed("a", job_status::running);
  start();
  BOOST_TEST(provider->calls.empty());
  BOOST_TEST(!status().enabled);
}

BOOST_AUTO_TEST_CASE(a_reloaded_configuration_applies_under_the_preference) {
  config.sweep = 0s;
  seed("a", job_status::running);
  start();
  answer_page(page({snap("a", job_status::running, ten)}));
  auto reloaded = config;
  reloaded.interval = 5s;
  reloaded.requests_per_minute = 7;
  auto s = ask<poller_status>(poller, reload_atom::value, reloaded);
  BOOST_TEST(s.interval_seconds == 5);
  BOOST_TEST(s.requests_per_minute == 7);
  // The next cycle is due one new interval from the reload.
  advance(4s);
  BOOST_TEST(provider->calls.size() == 1u);
  advance(1s);
  BOOST_TEST(provider->calls.size() == 2u);
  answer_page(page({snap("a", job_status::running, ten)}));
  // Off set at runtime wins over a reloaded configuration that polls.
  ask<poller_status>(poller, polling_atom::value,
                     polling_preference{false, std::nullopt});
  reloaded.interval = 2s;
  s = ask<poller_status>(poller, reload_atom::value, reloaded);
  BOOST_TEST(!s.enabled);
  BOOST_TEST(s.interval_seconds == 2);
  advance(30s);
  BOOST_TEST(provider->calls.size() == 2u);
  // Back to the rule: the reloaded configuration's, a cycle now.
  s = ask<poller_status>(poller, polling_atom::value, polling_preference{});
  BOOST_TEST(s.enabled);
  BOOST_TEST(provider->calls.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_poller_turned_on_cycles_only_once_its_replica_leads) {
  config.enabled = false;
  config.sweep = 0s;
  config.elected = true;
  seed("a", job_status::running);
  start();
  caf::anon_send(poller, lead_atom::value, poll_leadership{false, "B"});
  sched->run();
  auto s = ask<poller_status>(poller, polling_atom::value,
                              polling_preference{true, std::nullopt});
  BOOST_TEST(s.enabled);
  // Another replica leads: no cycle here.
  BOOST_TEST(provider->calls.empty());
  caf::anon_send(poller, lead_atom::value, poll_leadership{true, "A"});
  sched->run();
  BOOST_TEST(provider->calls == calls{"list:"});
}

BOOST_AUTO_TEST_CASE(with_polling_turned_off_the_sweep_still_runs) {
  config.sweep = 300s;
  seed("a", job_status::running);
  start();
  answer_page(page({snap("a", job_status::running, ten)}));
  ask<poller_status>(poller, polling_atom::value,
                     polling_preference{false, std::nullopt});
  advance(299s);
  BOOST_TEST(provider->calls.size() == 1u);
  advance(1s);
  BOOST_TEST(provider->calls.size() == 2u);
  answer_page(page({snap("a", job_status::running, ten)}));
  BOOST_TEST(status().last_cycle->sweep);
}

BOOST_AUTO_TEST_SUITE_END()
