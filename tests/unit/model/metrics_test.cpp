#include "model/metrics.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

namespace {

constexpr unix_ms day = 86'400'000;
// 2026-03-10T12:00:00Z
constexpr unix_ms noon = 1'773'144'000'000;

job_facts facts(unix_ms created, job_status status,
                std::optional<double> cost = std::nullopt,
                std::optional<int64_t> run_ms = std::nullopt,
                job_type type = job_type::cloud) {
  job_facts x;
  x.created = created;
  x.status = status;
  x.type = type;
  x.cost_usd = cost;
  x.run_ms = run_ms;
  return x;
}

size_t at(job_status s) {
  return static_cast<size_t>(s);
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_builder_suite)

BOOST_AUTO_TEST_CASE(an_empty_period_has_zeros_and_no_average) {
  metrics_builder b{30};
  auto r = b.finish();
  BOOST_TEST(r.period_days == 30);
  BOOST_TEST(r.job_count == 0u);
  BOOST_TEST(r.total_cost == 0.0);
  BOOST_TEST(!r.avg_job_duration_seconds.has_value());
  BOOST_TEST(r.cost_by_day.empty());
  for (auto n : r.jobs_by_status)
    BOOST_TEST(n == 0u);
}

BOOST_AUTO_TEST_CASE(jobs_are_counted_by_status_and_costs_summed) {
  metrics_builder b{7};
  b.add(facts(noon, job_status::completed, 0.5, 60'000));
  b.add(facts(noon + 1000, job_status::completed, 0.25, 120'000));
  b.add(facts(noon - day, job_status::failed, 0.125, 30'000));
  b.add(facts(noon - day, job_status::cancelled));
  b.add(facts(noon - 2 * day, job_status::running));
  b.add(facts(noon - 2 * day, job_status::queued));
  auto r = b.finish();
  BOOST_TEST(r.job_count == 6u);
  BOOST_TEST(r.total_cost == 0.875);
  BOOST_TEST(r.jobs_by_status[at(job_status::completed)] == 2u);
  BOOST_TEST(r.jobs_by_status[at(job_status::failed)] == 1u);
  BOOST_TEST(r.jobs_by_status[at(job_status::cancelled)] == 1u);
  BOOST_TEST(r.jobs_by_status[at(job_status::running)] == 1u);
  BOOST_TEST(r.jobs_by_status[at(job_status::queued)] == 1u);
  BOOST_TEST(r.jobs_by_status[at(job_status::pending)] == 0u);
  BOOST_TEST(r.jobs_by_status[at(job_status::uploading)] == 0u);
}

BOOST_AUTO_TEST_CASE(the_average_duration_covers_completed_jobs_with_a_run) {
  metrics_builder b{30};
  b.add(facts(noon, job_status::completed, std::nullopt, 60'000));
  b.add(facts(noon, job_status::completed, std::nullopt, 90'500));
  // Neither a failed run nor a completed job without times counts.
  b.add(facts(noon, job_status::failed, std::nullopt, 1'000'000));
  b.add(facts(noon, job_status::completed));
  auto r = b.finish();
  BOOST_REQUIRE(r.avg_job_duration_seconds.has_value());
  BOOST_TEST(*r.avg_job_duration_seconds == 75.25);
}

BOOST_AUTO_TEST_CASE(days_are_utc_dates_ascending_with_their_own_figures) {
  metrics_builder b{30};
  b.add(facts(noon, job_status::completed, 1.5));
  b.add(facts(noon - 2 * day, job_status::failed, 0.25));
  b.add(facts(noon + 11 * 3'600'000 + 59 * 60'000, job_status::cancelled));
  b.add(facts(noon - 2 * day, job_status::completed, std::nullopt, std::nullopt,
              job_type::local));
  // Midnight starts the next day.
  b.add(facts(noon + 12 * 3'600'000, job_status::running, 2.0));
  auto r = b.finish();
  BOOST_REQUIRE(r.cost_by_day.size() == 3u);
  const auto& d0 = r.cost_by_day[0];
  BOOST_TEST(d0.date == "2026-03-08");
  BOOST_TEST(d0.total_jobs == 2u);
  BOOST_TEST(d0.completed == 1u);
  BOOST_TEST(d0.failed == 1u);
  BOOST_TEST(d0.cancelled == 0u);
  BOOST_TEST(d0.local_jobs == 1u);
  BOOST_TEST(d0.cloud_jobs == 1u);
  BOOST_TEST(d0.total_cost_usd == 0.25);
  const auto& d1 = r.cost_by_day[1];
  BOOST_TEST(d1.date == "2026-03-10");
  BOOST_TEST(d1.total_jobs == 2u);
  BOOST_TEST(d1.completed == 1u);
  BOOST_TEST(d1.cancelled == 1u);
  BOOST_TEST(d1.local_jobs == 0u);
  BOOST_TEST(d1.cloud_jobs == 2u);
  BOOST_TEST(d1.total_cost_usd == 1.5);
  const auto& d2 = r.cost_by_day[2];
  BOOST_TEST(d2.date == "2026-03-11");
  BOOST_TEST(d2.total_jobs == 1u);
  BOOST_TEST(d2.total_cost_usd == 2.0);
}

BOOST_AUTO_TEST_SUITE_END()
