// The store's dashboard figures (by_created index) and its counters, read
// the way GET /api/cloud/metrics and GET /metrics read them.

#include "tests/unit/storage/store_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <tuple>

using namespace jobsync;
using namespace jobsync::storage;

namespace {

constexpr unix_ms day = 86'400'000;
// 2026-03-10T12:00:00Z
constexpr unix_ms noon = 1'773'144'000'000;

job finished(std::string id, job_status status, unix_ms created,
             int64_t run_seconds, std::optional<double> cost) {
  auto x = test::make_job(id, status, created);
  x.started_at = format_rfc3339(created + 1000);
  x.completed_at = format_rfc3339(created + 1000 + run_seconds * 1000);
  x.cost_usd = cost;
  return x;
}

struct figures_fixture : test::store_fixture {
  // Counters as (type, provider, status, count), sorted.
  std::vector<std::tuple<std::string, std::string, std::string, uint64_t>>
  tallies() {
    auto all = read()->counters();
    BOOST_REQUIRE(all);
    std::vector<std::tuple<std::string, std::string, std::string, uint64_t>>
        out;
    for (const auto& t : *all)
      out.emplace_back(std::string{to_string(t.type)}, t.provider.value_or("-"),
                       std::string{to_string(t.status)}, t.count);
    std::sort(out.begin(), out.end());
    return out;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(store_figures, figures_fixture)

BOOST_AUTO_TEST_CASE(metrics_count_only_jobs_created_since_the_start) {
  put({finished("a", job_status::completed, noon - 2 * day, 60, 0.5),
       finished("b", job_status::completed, noon - 3 * day, 120, 0.25),
       finished("c", job_status::failed, noon - 3 * day, 30, 0.125),
       test::make_job("d", job_status::cancelled, noon - 10 * day),
       test::make_job("e", job_status::running, noon - 2 * day),
       test::make_job("g", job_status::queued, noon - 4 * day, std::nullopt),
       finished("old", job_status::completed, noon - 40 * day, 300, 100.0)});
  auto r = read()->metrics(noon - 30 * day, 30);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->period_days == 30);
  BOOST_TEST(r->job_count == 6u);
  BOOST_TEST(r->total_cost == 0.875);
  BOOST_REQUIRE(r->avg_job_duration_seconds.has_value());
  BOOST_TEST(*r->avg_job_duration_seconds == 90.0);
  BOOST_TEST(r->jobs_by_status[static_cast<size_t>(job_status::completed)]
             == 2u);
  BOOST_TEST(r->jobs_by_status[static_cast<size_t>(job_status::queued)] == 1u);
  std::vector<std::string> dates;
  for (const auto& d : r->cost_by_day)
    dates.push_back(d.date);
  BOOST_TEST((dates
              == std::vector<std::string>{"2026-02-28", "2026-03-06",
                                          "2026-03-07", "2026-03-08"}));
  const auto& d3 = r->cost_by_day[2];
  BOOST_TEST(d3.total_jobs == 2u);
  BOOST_TEST(d3.completed == 1u);
  BOOST_TEST(d3.failed == 1u);
  BOOST_TEST(d3.cloud_jobs == 2u);
  BOOST_TEST(d3.local_jobs == 0u);
  BOOST_TEST(d3.total_cost_usd == 0.375);
  // The index knows a local job from a cloud one.
  const auto& d4 = r->cost_by_day[1];
  BOOST_TEST(d4.date == "2026-03-06");
  BOOST_TEST(d4.local_jobs == 1u);
  BOOST_TEST(d4.cloud_jobs == 0u);
  // A longer period reaches the old job.
  auto longer = read()->metrics(noon - 90 * day, 90);
  BOOST_REQUIRE(longer);
  BOOST_TEST(longer->job_count == 7u);
  BOOST_TEST(longer->total_cost == 100.875);
  BOOST_TEST(*longer->avg_job_duration_seconds == 160.0);
}

BOOST_AUTO_TEST_CASE(the_start_of_the_period_is_inclusive) {
  put({test::make_job("edge", job_status::pending, noon),
       test::make_job("before", job_status::pending, noon - 1)});
  auto r = read()->metrics(noon, 1);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->job_count == 1u);
}

BOOST_AUTO_TEST_CASE(an_update_moves_a_job_between_statuses_in_the_figures) {
  put({test::make_job("x", job_status::running, noon)});
  put({finished("x", job_status::completed, noon, 45, 0.75)});
  auto r = read()->metrics(noon - day, 30);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->job_count == 1u);
  BOOST_TEST(r->jobs_by_status[static_cast<size_t>(job_status::running)] == 0u);
  BOOST_TEST(r->jobs_by_status[static_cast<size_t>(job_status::completed)]
             == 1u);
  BOOST_TEST(r->total_cost == 0.75);
  BOOST_TEST(*r->avg_job_duration_seconds == 45.0);
}

BOOST_AUTO_TEST_CASE(counters_list_every_type_provider_and_status) {
  BOOST_TEST(tallies().empty());
  put({test::make_job("r1", job_status::running, noon),
       test::make_job("r2", job_status::running, noon + 1),
       test::make_job("c1", job_status::completed, noon + 2),
       test::make_job("l1", job_status::queued, noon + 3, std::nullopt),
       test::make_job("o1", job_status::failed, noon + 4,
                      std::string{"other"})});
  using row = std::tuple<std::string, std::string, std::string, uint64_t>;
  BOOST_TEST((tallies()
              == std::vector<row>{{"cloud", "other", "failed", 1},
                                  {"cloud", "replicate", "completed", 1},
                                  {"cloud", "replicate", "running", 2},
                                  {"local", "-", "queued", 1}}));
  // A status change moves the count; an erase removes it.
  put({test::make_job("r1", job_status::cancelled, noon)});
  {
    auto w = write();
    BOOST_REQUIRE(w->erase("c1"));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST((tallies()
              == std::vector<row>{{"cloud", "other", "failed", 1},
                                  {"cloud", "replicate", "cancelled", 1},
                                  {"cloud", "replicate", "running", 1},
                                  {"local", "-", "queued", 1}}));
}

BOOST_AUTO_TEST_SUITE_END()
