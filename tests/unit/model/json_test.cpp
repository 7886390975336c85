#include "model/json.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

using namespace jobsync;

namespace {

double number(const std::string& text) {
  rapidjson::Document d;
  auto error = parse_json(d, "[" + text + "]");
  BOOST_REQUIRE_MESSAGE(!error, text << ": " << *error);
  BOOST_REQUIRE(d[0].IsNumber());
  return d[0].GetDouble();
}

} // namespace

BOOST_AUTO_TEST_SUITE(json_numbers)

BOOST_AUTO_TEST_CASE(zero_with_any_exponent_is_zero) {
  // RapidJSON 1.1.0's full-precision reader gave 5.8e-129 or -1.3e269 for
  // the first (found by tests/fuzz/replicate_body under UBSan).
  for (auto text : {"0e-112", "0.000e-20", "0e5", "0.0", "0E+3", "0e-400"})
    BOOST_TEST(number(text) == 0.0, text);
  BOOST_TEST(std::signbit(number("-0.0e-20")));
}

BOOST_AUTO_TEST_CASE(decimals_are_correctly_rounded) {
  std::mt19937_64 rng{7};
  for (int i = 0; i < 20000; ++i) {
    auto text = std::to_string(rng() % 100000) + "." + std::to_string(rng())
                + "e" + std::to_string(static_cast<int>(rng() % 40) - 20);
    BOOST_TEST(number(text) == std::strtod(text.c_str(), nullptr), text);
  }
  BOOST_TEST(number("1e-400") == 0.0);
}

BOOST_AUTO_TEST_CASE(integers_keep_rapidjsons_types) {
  rapidjson::Document d;
  BOOST_REQUIRE(!parse_json(d, R"({"a":5,"b":-7,"c":18446744073709551615,)"
                               R"("d":-9223372036854775808,"e":1e2,)"
                               R"("f":18446744073709551616})"));
  BOOST_TEST(d["a"].IsInt());
  BOOST_TEST(d["a"].IsUint64());
  BOOST_TEST(d["b"].GetInt() == -7);
  BOOST_TEST(!d["b"].IsUint());
  BOOST_TEST(d["c"].GetUint64() == 18446744073709551615u);
  BOOST_TEST(!d["c"].IsInt64());
  BOOST_TEST(d["d"].GetInt64() == INT64_MIN);
  BOOST_TEST(d["e"].IsDouble());
  BOOST_TEST(d["e"].GetDouble() == 100.0);
  BOOST_TEST(d["f"].IsDouble()); // beyond 64 bits, as RapidJSON does
}

BOOST_AUTO_TEST_CASE(bad_text_and_huge_numbers_are_refused_with_a_reason) {
  rapidjson::Document d;
  auto bad = parse_json(d, R"({"a":)");
  BOOST_REQUIRE(bad);
  BOOST_TEST(bad->find("at byte") != std::string::npos, *bad);
  BOOST_TEST(d.IsNull());
  auto huge = parse_json(d, "[1e400]");
  BOOST_REQUIRE(huge);
  BOOST_TEST(huge->find("Number too big") != std::string::npos, *huge);
  BOOST_TEST(parse_json(d, "[01]").has_value());
  BOOST_TEST(parse_json(d, "[1.]").has_value());
}

BOOST_AUTO_TEST_CASE(strings_objects_and_a_byte_order_mark_read_as_before) {
  rapidjson::Document d;
  BOOST_REQUIRE(!parse_json(d, "\xEF\xBB\xBF{\"s\":\"a\\u00e9\\n\",\"n\":null,"
                               "\"t\":true,\"l\":[[],{}]}"));
  BOOST_TEST(std::string{d["s"].GetString()} == "a\xC3\xA9\n");
  BOOST_TEST(d["n"].IsNull());
  BOOST_TEST(d["t"].GetBool());
  BOOST_TEST(d["l"].Size() == 2u);
}

// The text is parsed in place, in a copy the document keeps: the document
// outlives the text and what becomes of it, and error offsets count from
// the text's first byte, a byte order mark included.
BOOST_AUTO_TEST_CASE(the_document_keeps_its_own_copy_of_the_text) {
  rapidjson::Document d;
  {
    std::string text = R"({"id":"abc","logs":"line 1\nline 2","n":[1.5]})";
    BOOST_REQUIRE(!parse_json(d, text));
    text.assign(text.size(), 'x');
  }
  BOOST_TEST(std::string{d["id"].GetString()} == "abc");
  BOOST_TEST(std::string{d["logs"].GetString()} == "line 1\nline 2");
  BOOST_TEST(d["n"][0].GetDouble() == 1.5);
  auto bad = parse_json(d, "\xEF\xBB\xBF{\"a\":}");
  BOOST_REQUIRE(bad);
  BOOST_TEST(bad->find("(at byte 8)") != std::string::npos, *bad);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_text)

// The writer's buffer starts on the stack and moves to the heap past
// 1 KiB: texts on both sides of that come out whole.
BOOST_AUTO_TEST_CASE(values_of_any_size_are_written_whole) {
  for (size_t n : {0, 1, 900, 1000, 1100, 5000, 100000}) {
    std::string s(n, 'x');
    s += "\"\n";
    auto quoted = quote_json(s);
    BOOST_TEST(quoted == "\"" + std::string(n, 'x') + "\\\"\\n\"", n);
    rapidjson::Document d;
    BOOST_REQUIRE(!parse_json(d, "{\"a\":[" + quoted + ",1.5,null]}"));
    BOOST_TEST(to_json_text(d) == "{\"a\":[" + quoted + ",1.5,null]}", n);
  }
}

// Values a client sent are echoed in errors, and arithmetic can overflow:
// whatever goes in, what comes out parses.
BOOST_AUTO_TEST_CASE(what_is_written_is_always_json) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("inf");
  w.Double(std::numeric_limits<double>::infinity());
  w.Key("nan");
  w.Double(std::nan(""));
  w.Key("bad\xff");
  w.String("a\xff\xc3(\xe2\x82");
  w.Key(std::string{"ok"});
  w.String(std::string{"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"});
  w.EndObject();
  std::string text = buf.GetString();
  BOOST_TEST(text
             == "{\"inf\":null,\"nan\":null,\"bad\xef\xbf\xbd\":"
                "\"a\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\","
                "\"ok\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}");
  BOOST_TEST(valid_utf8(text));
  rapidjson::Document d;
  BOOST_TEST(!parse_json(d, text));
  BOOST_TEST(quote_json("\xff") == "\"\xef\xbf\xbd\"");
  // Read as they are, and replaced when written again.
  rapidjson::Document read;
  BOOST_REQUIRE(!parse_json(read, "{\"k\xff\":\"a\xc3(\"}"));
  BOOST_TEST(std::string{read["k\xff"].GetString()} == "a\xc3(");
  BOOST_TEST(to_json_text(read) == "{\"k\xef\xbf\xbd\":\"a\xef\xbf\xbd(\"}");
}

BOOST_AUTO_TEST_SUITE_END()
