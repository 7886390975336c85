#include "http/web_resource.hpp"
#include "web/assets.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

using namespace jobsync;

namespace {

std::string source_file(const std::string& rel) {
  std::ifstream in{std::string{JOBSYNC_SOURCE_DIR} + "/" + rel,
                   std::ios::binary};
  BOOST_REQUIRE_MESSAGE(in, rel);
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

} // namespace

BOOST_AUTO_TEST_SUITE(web_assets)

BOOST_AUTO_TEST_CASE(the_embedded_files_are_the_files_of_web_static) {
  for (auto name : {"index.html", "app.js", "app.css", "icon.svg"}) {
    auto a = web::find_embedded(name);
    BOOST_REQUIRE_MESSAGE(a, name);
    BOOST_TEST(a->body == source_file(std::string{"web/static/"} + name), name);
    BOOST_TEST(a->etag == web::etag_of(a->body));
  }
  BOOST_TEST(!web::find_embedded("nope.js"));
  BOOST_TEST(!web::find_embedded(""));
}

BOOST_AUTO_TEST_CASE(content_types_follow_the_extension) {
  BOOST_TEST(web::content_type_of("index.html") == "text/html; charset=utf-8");
  BOOST_TEST(web::content_type_of("app.js")
             == "text/javascript; charset=utf-8");
  BOOST_TEST(web::content_type_of("app.css") == "text/css; charset=utf-8");
  BOOST_TEST(web::content_type_of("icon.svg") == "image/svg+xml");
  BOOST_TEST(web::content_type_of("x.png") == "image/png");
  BOOST_TEST(web::content_type_of("README") == "application/octet-stream");
}

BOOST_AUTO_TEST_CASE(etags_are_quoted_and_change_with_the_body) {
  auto a = web::etag_of("hello");
  BOOST_TEST(a.front() == '"');
  BOOST_TEST(a.back() == '"');
  BOOST_TEST(a == web::etag_of("hello"));
  BOOST_TEST(a != web::etag_of("hellp"));
  BOOST_TEST(web::etag_of("") != web::etag_of(std::string(1, '\0')));
}

BOOST_AUTO_TEST_CASE(only_plain_file_names_are_looked_up) {
  for (auto ok : {"app.js", "icon-2.svg", "a_b.CSS"})
    BOOST_TEST(web::is_safe_name(ok), ok);
  for (auto bad :
       {"", ".env", "..", "../main.cpp", "a/b.js", "a\\b", " x.js", "%2e%2e"})
    BOOST_TEST(!web::is_safe_name(bad), bad);
  BOOST_TEST(!web::is_safe_name(std::string(200, 'a')));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(if_none_match)

BOOST_AUTO_TEST_CASE(matches_exact_weak_listed_and_star) {
  using http::etag_matches;
  BOOST_TEST(etag_matches("\"abc\"", "\"abc\""));
  BOOST_TEST(etag_matches("W/\"abc\"", "\"abc\""));
  BOOST_TEST(etag_matches("\"x\", \"abc\"", "\"abc\""));
  BOOST_TEST(etag_matches(" \"x\" ,W/\"abc\" ", "\"abc\""));
  BOOST_TEST(etag_matches("*", "\"abc\""));
  BOOST_TEST(!etag_matches("\"abd\"", "\"abc\""));
  BOOST_TEST(!etag_matches("abc", "\"abc\""));
  BOOST_TEST(!etag_matches("", "\"abc\""));
  BOOST_TEST(!etag_matches(",,", "\"abc\""));
}

BOOST_AUTO_TEST_SUITE_END()
