#include "http/connection_budget.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

using namespace jobsync::http;

BOOST_AUTO_TEST_SUITE(connection_budget_rules)

BOOST_AUTO_TEST_CASE(zero_takes_every_descriptor_but_the_reserve) {
  auto b = plan_connections(20000, 0, 10000);
  BOOST_TEST(b.connections == 20000u - reserved_descriptors);
  BOOST_TEST(b.event_streams == 10000u);
  BOOST_TEST(b.warnings.empty());
}

BOOST_AUTO_TEST_CASE(a_configured_limit_below_the_descriptors_is_kept) {
  auto b = plan_connections(20000, 500, 100);
  BOOST_TEST(b.connections == 500u);
  BOOST_TEST(b.event_streams == 100u);
  BOOST_TEST(b.warnings.empty());
}

BOOST_AUTO_TEST_CASE(a_limit_above_the_descriptors_is_lowered_and_said) {
  auto b = plan_connections(1024, 5000, 10);
  BOOST_TEST(b.connections == 1024u - reserved_descriptors);
  BOOST_REQUIRE(b.warnings.size() == 1u);
  BOOST_TEST(b.warnings[0].find("server.max_connections lowered from 5000")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(event_streams_leave_room_for_requests) {
  // The default events.max_connections under the usual soft limit.
  auto b = plan_connections(1024, 0, 10000);
  BOOST_TEST(b.connections == 896u);
  BOOST_TEST(b.event_streams == 896u - 64u);
  BOOST_REQUIRE(b.warnings.size() == 1u);
  BOOST_TEST(b.warnings[0].find("events.max_connections lowered")
             != std::string::npos);
  // Few connections: a quarter of them stay for requests.
  auto small = plan_connections(20000, 20, 20);
  BOOST_TEST(small.event_streams == 15u);
}

BOOST_AUTO_TEST_CASE(an_absurdly_low_limit_still_serves_a_few) {
  auto b = plan_connections(16, 0, 5);
  BOOST_TEST(b.connections == 8u);
  BOOST_TEST(b.event_streams == 5u);
}

BOOST_AUTO_TEST_CASE(the_soft_limit_is_raised_to_the_hard_one) {
  rlimit before{};
  BOOST_REQUIRE(getrlimit(RLIMIT_NOFILE, &before) == 0);
  auto now = raise_open_file_limit();
  rlimit after{};
  BOOST_REQUIRE(getrlimit(RLIMIT_NOFILE, &after) == 0);
  BOOST_TEST(after.rlim_cur == after.rlim_max);
  BOOST_TEST(now >= static_cast<size_t>(before.rlim_cur));
}

BOOST_AUTO_TEST_SUITE_END()
