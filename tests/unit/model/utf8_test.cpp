#include "model/utf8.hpp"

#include <rapidjson/encodings.h>
#include <rapidjson/memorystream.h>

#include <boost/test/unit_test.hpp>

#include <string>

using namespace jobsync;

namespace {

// RapidJSON's validator, which jobsync's replaced: the reference.
bool rapidjson_accepts(const std::string& s) {
  struct discard {
    void Put(char) {}
  };
  rapidjson::MemoryStream in{s.data(), s.size()};
  discard out;
  while (in.Tell() < s.size())
    if (!rapidjson::UTF8<>::Validate(in, out))
      return false;
  return in.Tell() == s.size();
}

std::string bytes(std::initializer_list<int> xs) {
  std::string s;
  for (int x : xs)
    s += static_cast<char>(x);
  return s;
}

} // namespace

BOOST_AUTO_TEST_SUITE(utf8)

BOOST_AUTO_TEST_CASE(every_short_sequence_is_judged_as_rapidjson_judges_it) {
  size_t disagreements = 0;
  auto check = [&](const std::string& s) {
    if (valid_utf8(s) != rapidjson_accepts(s))
      ++disagreements;
  };
  for (int a = 0; a < 256; ++a) {
    check(bytes({a}));
    for (int b = 0; b < 256; ++b) {
      check(bytes({a, b}));
      if (a >= 0xE0 && a <= 0xEF)
        for (int c = 0; c < 256; ++c)
          check(bytes({a, b, c}));
      if (a >= 0xF0)
        for (int c : {0x00, 0x7F, 0x80, 0xBF, 0xC0})
          for (int d : {0x00, 0x7F, 0x80, 0xBF, 0xC0})
            check(bytes({a, b, c, d}));
    }
  }
  BOOST_TEST(disagreements == 0u);
}

BOOST_AUTO_TEST_CASE(bad_bytes_become_replacement_characters) {
  const std::string fffd = "\xEF\xBF\xBD";
  BOOST_TEST(with_invalid_utf8_replaced("plain") == "plain");
  BOOST_TEST(with_invalid_utf8_replaced("caf\xC3\xA9 \xF0\x9F\x98\x80")
             == "caf\xC3\xA9 \xF0\x9F\x98\x80");
  // A lone continuation byte, a cut sequence at the end, an overlong '/',
  // a surrogate: each byte that starts no character is replaced.
  BOOST_TEST(with_invalid_utf8_replaced("a\x80z") == "a" + fffd + "z");
  BOOST_TEST(with_invalid_utf8_replaced("ab\xE2\x82") == "ab" + fffd + fffd);
  BOOST_TEST(with_invalid_utf8_replaced("\xC0\xAF") == fffd + fffd);
  BOOST_TEST(with_invalid_utf8_replaced("\xED\xA0\x80") == fffd + fffd + fffd);
  // Long ASCII runs around a bad byte (the eight-byte steps).
  std::string run(37, 'x');
  BOOST_TEST(with_invalid_utf8_replaced(run + "\xFF" + run)
             == run + fffd + run);
  BOOST_TEST(valid_utf8(run));
  BOOST_TEST(valid_utf8(run + "\xC3\xA9"));
  BOOST_TEST(valid_utf8(with_invalid_utf8_replaced(run + "\xFF\xFE" + run)));
}

BOOST_AUTO_TEST_SUITE_END()
