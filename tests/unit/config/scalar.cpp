#include "config/scalar.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync::config;

BOOST_AUTO_TEST_SUITE(scalar_parsing)

BOOST_AUTO_TEST_CASE(integers_must_be_whole_and_in_range) {
  BOOST_TEST(*parse_integer("42", 0, 100) == 42);
  BOOST_TEST(*parse_integer(" 7 ", 0, 100) == 7);
  BOOST_TEST(*parse_integer("-3", -5, 5) == -3);
  for (auto bad :
       {"", "abc", "4.5", "42x", "0x10", "101", "-1", "999999999999999999999"})
    BOOST_TEST(!parse_integer(bad, 0, 100), bad);
  BOOST_TEST(parse_integer("x", 1, 64).error().detail
             == "expected an integer from 1 to 64, got \"x\"");
}

BOOST_AUTO_TEST_CASE(numbers_must_be_finite_and_not_below_the_minimum) {
  BOOST_TEST(*parse_number("0.000972222", 0) == 0.000972222);
  BOOST_TEST(*parse_number("1e-5", 0) == 1e-5);
  for (auto bad : {"", "-1", "nan", "inf", "1,5"})
    BOOST_TEST(!parse_number(bad, 0), bad);
}

BOOST_AUTO_TEST_CASE(booleans_accept_yaml_spellings_in_any_case) {
  for (auto yes : {"true", "True", "TRUE", "yes", "on"})
    BOOST_TEST(*parse_boolean(yes), yes);
  for (auto no : {"false", "False", "no", "OFF"})
    BOOST_TEST(!*parse_boolean(no), no);
  for (auto bad : {"", "1", "0", "y", "auto"})
    BOOST_TEST(!parse_boolean(bad), bad);
}

BOOST_AUTO_TEST_CASE(numbers_print_shortest_and_read_back_exactly) {
  for (double x : {0.000972222, 0.001525, 1.5e-05, 0.0, 3.0}) {
    auto text = to_text(x);
    BOOST_TEST(*parse_number(text, 0) == x, text);
  }
  BOOST_TEST(to_text(0.001525) == "0.001525");
}

BOOST_AUTO_TEST_CASE(quoting_escapes_what_yaml_needs) {
  BOOST_TEST(quote("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
  BOOST_TEST(quote("") == "\"\"");
  BOOST_TEST(!needs_quotes("gpu-l40s"));
  BOOST_TEST(!needs_quotes("acme/flux"));
  for (auto x : {"", "yes", "Null", "1.5", "a b", "-x", "a:b", "#"})
    BOOST_TEST(needs_quotes(x), x);
}

BOOST_AUTO_TEST_SUITE_END()
