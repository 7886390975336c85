#include "model/timestamp.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

BOOST_AUTO_TEST_SUITE(timestamp)

BOOST_AUTO_TEST_CASE(fractional_digits_from_zero_to_nine_are_accepted) {
  const unix_ms base = 1701092145000; // 2023-11-27T13:35:45Z
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45Z") == base);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.9Z") == base + 900);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.99Z") == base + 990);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.993Z") == base + 993);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.9939Z") == base + 993);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.99397Z") == base + 993);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.993975Z") == base + 993);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.9939756Z") == base + 993);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.99397566Z") == base + 993);
  BOOST_TEST(*parse_rfc3339("2023-11-27T13:35:45.993975661Z") == base + 993);
}

BOOST_AUTO_TEST_CASE(more_than_nine_digits_or_a_bare_dot_is_rejected) {
  BOOST_TEST(!parse_rfc3339("2023-11-27T13:35:45.9939756612Z"));
  BOOST_TEST(!parse_rfc3339("2023-11-27T13:35:45.Z"));
}

BOOST_AUTO_TEST_CASE(offsets_are_applied) {
  auto utc = parse_rfc3339("2024-04-22T11:15:15.504Z");
  BOOST_TEST(*parse_rfc3339("2024-04-22T13:15:15.504+02:00") == *utc);
  BOOST_TEST(*parse_rfc3339("2024-04-22T06:15:15.504-05:00") == *utc);
  BOOST_TEST(*parse_rfc3339("2024-04-22t11:15:15.504z") == *utc);
}

BOOST_AUTO_TEST_CASE(malformed_text_is_rejected) {
  for (auto s :
       {"", "2024-04-22", "2024-04-22T11:15:15", "2024-13-01T00:00:00Z",
        "2024-04-22T25:00:00Z", "2024-04-22T11:15:15Zjunk",
        "24-04-22T11:15:15Z", "2024-04-22T11:15:15+0200", "not a date"})
    BOOST_TEST(!parse_rfc3339(s), s);
}

BOOST_AUTO_TEST_CASE(formatting_round_trips_with_milliseconds) {
  for (unix_ms t : {unix_ms{0}, unix_ms{1701092145993}, unix_ms{951782400000},
                    unix_ms{-86400000}, unix_ms{4102444799999}}) {
    auto text = format_rfc3339(t);
    BOOST_TEST(*parse_rfc3339(text) == t, text);
  }
  BOOST_TEST(format_rfc3339(1701092145993) == "2023-11-27T13:35:45.993Z");
  BOOST_TEST(format_date(1701092145993) == "2023-11-27");
  BOOST_TEST(format_rfc3339(951782400000) == "2000-02-29T00:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(instants)

BOOST_AUTO_TEST_CASE(one_instant_in_several_precisions_is_the_same) {
  BOOST_TEST(same_instant("2024-04-22T11:15:12.17042Z",
                          "2024-04-22T11:15:12.170420Z"));
  BOOST_TEST(
      same_instant("2024-04-22T11:15:12Z", "2024-04-22T11:15:12.000000000Z"));
  BOOST_TEST(
      same_instant("2024-04-22T13:15:12.5+02:00", "2024-04-22T11:15:12.500Z"));
  BOOST_TEST(!same_instant("2024-04-22T11:15:12.170420001Z",
                           "2024-04-22T11:15:12.17042Z"));
  BOOST_TEST(!same_instant("garbage", "2024-04-22T11:15:12Z"));
  BOOST_TEST(same_instant("garbage", "garbage"));
}

BOOST_AUTO_TEST_SUITE_END()
