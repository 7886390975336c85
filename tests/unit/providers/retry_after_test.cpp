#include "providers/retry_after.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::providers;
using std::chrono::seconds;

namespace {

// 1994-11-06T08:49:37Z, the RFC's own example date.
const unix_ms example = 784111777000;

long long delay(std::string_view value, unix_ms now = example) {
  auto d = parse_retry_after(value, now);
  BOOST_REQUIRE_MESSAGE(d, "no delay from '" << value << "'");
  return d->count();
}

} // namespace

BOOST_AUTO_TEST_SUITE(retry_after)

BOOST_AUTO_TEST_CASE(integer_seconds_are_the_delay) {
  BOOST_TEST(delay("5") == 5);
  BOOST_TEST(delay("0") == 0);
  BOOST_TEST(delay(" 120 ") == 120);
  BOOST_TEST(delay("86400") == 86400);
}

BOOST_AUTO_TEST_CASE(an_http_date_is_the_time_left_until_then) {
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:42 GMT") == 5);
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:50:37 GMT") == 60);
  BOOST_TEST(delay("Mon, 07 Nov 1994 08:49:37 UTC") == 86400);
  // Part of a second left is rounded up, never down to an early retry.
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:42 GMT", example + 500) == 5);
}

BOOST_AUTO_TEST_CASE(a_past_date_means_retry_now) {
  BOOST_TEST(delay("Sun, 06 Nov 1994 08:49:00 GMT") == 0);
  BOOST_TEST(delay("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
}

BOOST_AUTO_TEST_CASE(http_dates_parse_to_unix_time) {
  BOOST_TEST(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").value_or(0)
             == example);
  BOOST_TEST(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").value_or(-1)
             == 0);
  BOOST_TEST(parse_http_date("Sat, 29 Feb 2020 23:59:59 GMT").value_or(0)
             == 1583020799000);
}

BOOST_AUTO_TEST_CASE(garbage_is_no_delay) {
  for (auto text :
       {"", " ", "-5", "5s", "1.5", "soon", "0x10", "99999999999999999999",
        "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 CET",
        "2025-06-08T12:06:15Z"}) {
    BOOST_TEST(!parse_retry_after(text, example).has_value(), text);
  }
}

BOOST_AUTO_TEST_CASE(rate_limit_counts_are_non_negative_integers) {
  BOOST_TEST(parse_header_count("2999").value_or(-1) == 2999);
  BOOST_TEST(parse_header_count(" 1 ").value_or(-1) == 1);
  BOOST_TEST(parse_header_count("0").value_or(-1) == 0);
  BOOST_TEST(parse_header_count("0.5").value_or(-1) == 1);
  BOOST_TEST(parse_header_count("2.0").value_or(-1) == 2);
  for (auto text :
       {"", "-1", "abc", "1e3", "1.", "1.x", "9999999999999999999999"})
    BOOST_TEST(!parse_header_count(text).has_value(), text);
}

BOOST_AUTO_TEST_SUITE_END()
