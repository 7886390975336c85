#include "http/write_tally.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <memory>

using namespace jobsync::http;

BOOST_AUTO_TEST_SUITE(write_tally_suite)

BOOST_AUTO_TEST_CASE(counts_what_is_queued_until_it_is_written) {
  int broken = 0;
  auto* tally = write_tally::make([&] { ++broken; });
  tally->queued(100);
  tally->queued(20);
  BOOST_TEST(tally->unflushed() == 120u);
  // The notices reach the tally the way the HTTP library calls them.
  std::function<void(const std::error_code&)> first = write_notice{tally, 100};
  first(std::error_code{});
  BOOST_TEST(tally->unflushed() == 20u);
  std::function<void(const std::error_code&)> second = write_notice{tally, 20};
  second(std::error_code{});
  BOOST_TEST(tally->unflushed() == 0u);
  BOOST_TEST(broken == 0);
  tally->release();
}

BOOST_AUTO_TEST_CASE(a_broken_connection_is_reported_once) {
  int broken = 0;
  auto* tally = write_tally::make([&] { ++broken; });
  tally->queued(10);
  tally->queued(10);
  tally->queued(10);
  auto failed = std::make_error_code(std::errc::broken_pipe);
  write_notice{tally, 10}(std::error_code{});
  write_notice{tally, 10}(failed);
  write_notice{tally, 10}(failed);
  BOOST_TEST(broken == 1);
  BOOST_TEST(tally->unflushed() == 0u);
  tally->release();
}

BOOST_AUTO_TEST_CASE(outlives_its_stream_until_the_last_notice) {
  // The tally owns on_broken, so the token's lifetime is the tally's.
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> alive = token;
  auto* tally = write_tally::make([token = std::move(token)] { ++*token; });
  tally->queued(5);
  tally->queued(5);
  tally->release(); // the stream is gone; two writes are still queued
  BOOST_TEST(!alive.expired());
  write_notice{tally, 5}(std::error_code{});
  BOOST_TEST(!alive.expired());
  BOOST_TEST(tally->unflushed() == 5u);
  write_notice{tally, 5}(std::make_error_code(std::errc::connection_reset));
  BOOST_TEST(alive.expired());
}

BOOST_AUTO_TEST_SUITE_END()
