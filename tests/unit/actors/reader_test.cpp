// The reader actor over the store under test (LMDB, or PostgreSQL in
// unit_actors_postgres): each request one read, failures as errors.

#include "actors/reader.hpp"

#include <caf/send.hpp>

#include "tests/support/test_jobs.hpp"
#include "tests/unit/actors/actor_fixture.hpp"

using namespace jobsync;
using test::make_job;

namespace {

constexpr unix_ms day = 86'400'000;

struct reader_fixture : test::actor_fixture {
  reader_actor reader;

  reader_fixture() {
    reader = track(sys->spawn(jobsync::reader, store.get()));
    sched->run();
  }

  void seed(const std::vector<job>& jobs, const std::string& logged = {}) {
    auto w = std::move(*store->begin_write());
    for (const auto& x : jobs)
      BOOST_REQUIRE(w->put(x));
    if (!logged.empty()) {
      job_logs logs;
      logs.tail = "Step 3/4";
      logs.total_bytes = 8;
      BOOST_REQUIRE(w->put_logs(logged, logs));
    }
    BOOST_REQUIRE(w->commit());
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(reader_suite, reader_fixture)

BOOST_AUTO_TEST_CASE(a_job_is_answered_and_an_unknown_one_is_not_found) {
  auto x = make_job("p1", job_status::running, now_ms());
  x.cost_usd = 0.5;
  seed({x}, "p1");
  BOOST_TEST((ask<job>(reader, get_atom::value, job_ref{"p1"}) == x));
  auto d = ask<job_detail>(reader, detail_atom::value, job_ref{"p1"});
  BOOST_TEST((d.value == x));
  BOOST_REQUIRE(d.logs);
  BOOST_TEST(d.logs->tail == "Step 3/4");
  for (auto f :
       {ask_fails<job>(reader, get_atom::value, job_ref{"nope"}),
        ask_fails<job_detail>(reader, detail_atom::value, job_ref{"nope"})}) {
    BOOST_TEST((f.code == errc::job_not_found));
    BOOST_TEST(f.detail == "Job not found: nope");
  }
}

BOOST_AUTO_TEST_CASE(lists_active_jobs_figures_and_counts_come_from_the_store) {
  auto now = now_ms();
  seed({make_job("old", job_status::completed, now - 40 * day),
        make_job("done", job_status::completed, now - 2 * day),
        make_job("run", job_status::running, now - day),
        make_job("local", job_status::queued, now, std::nullopt)});
  list_query q;
  q.limit = 2;
  auto page = ask<job_page>(reader, list_atom::value, q);
  BOOST_TEST(page.total == 4u);
  BOOST_REQUIRE(page.jobs.size() == 2u);
  BOOST_TEST(page.jobs[0].job_id == "local");
  BOOST_TEST(page.jobs[1].job_id == "run");
  auto active = ask<std::vector<job>>(reader, active_atom::value,
                                      provider_name{"replicate"});
  BOOST_REQUIRE(active.size() == 1u);
  BOOST_TEST(active[0].job_id == "run");
  auto figures = ask<metrics_report>(reader, metrics_atom::value, 30);
  BOOST_TEST(figures.job_count == 3u);
  uint64_t counted = 0;
  for (const auto& t : ask<std::vector<job_tally>>(reader, counts_atom::value))
    counted += t.count;
  BOOST_TEST(counted == 4u);
}

// The HTTP reads' form (http::ask_direct): the reader runs the callback with
// the answer or the failure, exactly once.
BOOST_AUTO_TEST_CASE(answers_through_a_callback_it_runs_itself) {
  auto x = make_job("p1", job_status::running, now_ms());
  seed({x, make_job("p2", job_status::completed, now_ms() - day)});
  std::vector<result<job>> jobs;
  std::vector<result<job_page>> pages;
  auto keep_job = [&](result<job> r) { jobs.push_back(std::move(r)); };
  caf::anon_send(reader, get_atom::value, job_ref{"p1"},
                 answer_callback<job>{keep_job});
  caf::anon_send(reader, get_atom::value, job_ref{"nope"},
                 answer_callback<job>{keep_job});
  list_query q;
  q.limit = 1;
  caf::anon_send(reader, list_atom::value, q,
                 answer_callback<job_page>{[&](result<job_page> r) {
                   pages.push_back(std::move(r));
                 }});
  sched->run();
  BOOST_REQUIRE(jobs.size() == 2u);
  BOOST_REQUIRE(static_cast<bool>(jobs[0]));
  BOOST_TEST((*jobs[0] == x));
  BOOST_REQUIRE(!jobs[1]);
  BOOST_TEST((jobs[1].error().code == errc::job_not_found));
  BOOST_TEST(jobs[1].error().detail == "Job not found: nope");
  BOOST_REQUIRE(pages.size() == 1u);
  BOOST_REQUIRE(static_cast<bool>(pages[0]));
  BOOST_TEST(pages[0]->total == 2u);
  BOOST_REQUIRE(pages[0]->jobs.size() == 1u);
  BOOST_TEST(pages[0]->jobs[0].job_id == "p1");
}

BOOST_AUTO_TEST_SUITE_END()
