#include "model/status.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

BOOST_AUTO_TEST_SUITE(status)

BOOST_AUTO_TEST_CASE(every_status_round_trips_through_its_word) {
  for (auto x : all_statuses)
    BOOST_TEST((parse_status(to_string(x)) == x));
  BOOST_TEST(!parse_status("Running"));
  BOOST_TEST(!parse_status("canceled"));
  BOOST_TEST(!parse_status(""));
}

BOOST_AUTO_TEST_CASE(active_and_terminal_sets_partition_the_statuses) {
  std::vector<job_status> active, terminal;
  for (auto x : all_statuses) {
    BOOST_TEST(is_active(x) != is_terminal(x));
    (is_active(x) ? active : terminal).push_back(x);
  }
  BOOST_TEST(active.size() == 4u);
  BOOST_TEST(
      (active
       == std::vector<job_status>{job_status::pending, job_status::uploading,
                                  job_status::queued, job_status::running}));
  BOOST_TEST(
      (terminal
       == std::vector<job_status>{job_status::completed, job_status::failed,
                                  job_status::cancelled}));
}

BOOST_AUTO_TEST_CASE(lifecycle_rank_orders_active_statuses_below_terminal) {
  BOOST_TEST(lifecycle_rank(job_status::pending)
             < lifecycle_rank(job_status::uploading));
  BOOST_TEST(lifecycle_rank(job_status::uploading)
             < lifecycle_rank(job_status::queued));
  BOOST_TEST(lifecycle_rank(job_status::queued)
             < lifecycle_rank(job_status::running));
  BOOST_TEST(lifecycle_rank(job_status::running)
             < lifecycle_rank(job_status::completed));
  BOOST_TEST(lifecycle_rank(job_status::completed)
             == lifecycle_rank(job_status::failed));
  BOOST_TEST(lifecycle_rank(job_status::failed)
             == lifecycle_rank(job_status::cancelled));
}

BOOST_AUTO_TEST_CASE(job_type_words_parse_case_sensitively) {
  BOOST_TEST((parse_job_type("cloud") == job_type::cloud));
  BOOST_TEST((parse_job_type("local") == job_type::local));
  BOOST_TEST(!parse_job_type("Cloud"));
  BOOST_TEST(to_string(job_type::local) == "local");
}

BOOST_AUTO_TEST_SUITE_END()
