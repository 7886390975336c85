#include "tests/integration/http_api/api_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

BOOST_AUTO_TEST_SUITE(large_store)

// 100,000 jobs: every page is exact, totals count all matches, and the
// filters are applied before paging.
BOOST_AUTO_TEST_CASE(pages_over_a_hundred_thousand_jobs_are_exact) {
  constexpr int n = 100000;
  const unix_ms t0 = 1'790'000'000'000;
  const job_status cycle[]
      = {job_status::completed, job_status::completed, job_status::failed,
         job_status::running,   job_status::cancelled, job_status::queued,
         job_status::completed};
  std::vector<job> jobs;
  jobs.reserve(n);
  size_t running = 0, failed_or_cancelled_other = 0;
  for (int i = 0; i < n; ++i) {
    bool other = i % 10 == 0;
    auto status = cycle[i % 7];
    auto x = make_job("job-" + std::to_string(i), status, t0 + i * 1000,
                      other ? std::string{"other"} : std::string{"replicate"});
    running += status == job_status::running;
    if (other
        && (status == job_status::failed || status == job_status::cancelled))
      ++failed_or_cancelled_other;
    jobs.push_back(std::move(x));
  }
  temp_dir dir;
  seed_store(dir.path(), jobs);
  jobsyncd server{dir.path()};

  auto list = [&](const std::string& q) {
    auto r = http_get(server.url("/api/cloud/jobs" + q));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r);
  };
  auto all = list("?limit=500");
  BOOST_TEST(all["total"].GetUint64() == uint64_t{n});
  BOOST_TEST(all["jobs"].Size() == 500u);
  BOOST_TEST(ids_of(all).front() == "job-99999");
  BOOST_TEST(ids_of(all).back() == "job-99500");

  auto deep = list("?limit=3&offset=99998");
  BOOST_TEST((ids_of(deep) == std::vector<std::string>{"job-1", "job-0"}));
  BOOST_TEST(deep["total"].GetUint64() == uint64_t{n});

  auto run = list("?status=running&limit=50&offset=100");
  BOOST_TEST(run["total"].GetUint64() == running);
  // The 101st newest running job: running jobs are i % 7 == 3.
  int expected_first = -1, seen = 0;
  for (int i = n - 1; i >= 0; --i)
    if (i % 7 == 3 && seen++ == 100) {
      expected_first = i;
      break;
    }
  BOOST_TEST(ids_of(run).front() == "job-" + std::to_string(expected_first));
  for (const auto& j : run["jobs"].GetArray())
    BOOST_TEST(std::string{j["status"].GetString()} == "running");

  auto other = list("?provider=other&status=failed,cancelled&limit=500");
  BOOST_TEST(other["total"].GetUint64() == failed_or_cancelled_other);
  BOOST_TEST(other["jobs"].Size()
             == std::min<size_t>(500, failed_or_cancelled_other));
  for (const auto& j : other["jobs"].GetArray()) {
    BOOST_TEST(std::string{j["provider"].GetString()} == "other");
    std::string s = j["status"].GetString();
    BOOST_TEST((s == "failed" || s == "cancelled"));
  }
  auto none = list("?job_type=local");
  BOOST_TEST(none["total"].GetUint64() == 0u);
  BOOST_TEST(none["jobs"].Size() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
