#include "model/job_logs.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

BOOST_AUTO_TEST_SUITE(job_logs_merge)

BOOST_AUTO_TEST_CASE(logs_are_taken_and_progress_computed_once) {
  job_logs stored;
  BOOST_TEST(merge_logs(stored, "loading\nStep 5/10 - loss 0.1\n", 1024, 100));
  BOOST_TEST(stored.total_bytes == 29u);
  BOOST_TEST(stored.updated_at == 100);
  BOOST_TEST(*stored.progress.stage == "Training");
  BOOST_TEST(*stored.progress.progress == 50.0);
  BOOST_TEST(*stored.progress.last_log == "Step 5/10 - loss 0.1");
}

BOOST_AUTO_TEST_CASE(shorter_logs_arrive_late_and_are_ignored) {
  job_logs stored;
  merge_logs(stored, "a\nb\nStep 9/10\n", 1024, 100);
  auto before = stored;
  BOOST_TEST(!merge_logs(stored, "a\nb\n", 1024, 200));
  BOOST_TEST((stored == before));
}

BOOST_AUTO_TEST_CASE(the_same_logs_again_only_refresh_the_time) {
  job_logs stored;
  merge_logs(stored, "Step 1/2\n", 1024, 100);
  BOOST_TEST(merge_logs(stored, "Step 1/2\n", 1024, 200));
  BOOST_TEST(stored.updated_at == 200);
  BOOST_TEST(!merge_logs(stored, "Step 1/2\n", 1024, 150));
}

BOOST_AUTO_TEST_CASE(the_tail_starts_at_a_line_boundary) {
  std::string log;
  for (int i = 0; i < 100; ++i)
    log += "Step " + std::to_string(i) + "/100 - loss: 0.5\n";
  job_logs stored;
  merge_logs(stored, log, 200, 1);
  BOOST_TEST(stored.tail.size() <= 200u);
  BOOST_TEST(stored.tail.rfind("Step ", 0) == 0u);
  BOOST_TEST(stored.total_bytes == log.size());
  BOOST_TEST(*stored.progress.progress == 99.0);
}

BOOST_AUTO_TEST_CASE(a_tail_without_newlines_starts_at_a_character) {
  std::string log;
  for (int i = 0; i < 100; ++i)
    log += "\xC3\xA9";
  auto tail = log_tail(log, 51);
  BOOST_TEST(tail.size() == 50u);
  BOOST_TEST((static_cast<unsigned char>(tail[0]) == 0xC3));
}

BOOST_AUTO_TEST_SUITE_END()
