#include "providers/url.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync::providers;

namespace {

std::string resolved(std::string_view base, std::string_view next) {
  auto r = resolve_next_url(base, next);
  BOOST_REQUIRE_MESSAGE(r, "refused " << next);
  return *r;
}

} // namespace

BOOST_AUTO_TEST_SUITE(url)

BOOST_AUTO_TEST_CASE(job_ids_are_percent_encoded) {
  BOOST_TEST(percent_encode("hdwst0bb05rgp0cf0p29mzk2am")
             == "hdwst0bb05rgp0cf0p29mzk2am");
  BOOST_TEST(percent_encode("a/b?c d#") == "a%2Fb%3Fc%20d%23");
  BOOST_TEST(percent_encode("../x") == "..%2Fx");
  BOOST_TEST(percent_encode("-._~") == "-._~");
}

BOOST_AUTO_TEST_CASE(paths_join_with_one_slash) {
  BOOST_TEST(join_url("https://a.test/v1", "predictions")
             == "https://a.test/v1/predictions");
  BOOST_TEST(join_url("https://a.test/v1/", "/predictions")
             == "https://a.test/v1/predictions");
}

BOOST_AUTO_TEST_CASE(absolute_next_links_on_the_api_host_are_verbatim) {
  auto next = "https://api.replicate.com/v1/predictions?cursor=cD0yMDI1LTA2";
  BOOST_TEST(resolved("https://api.replicate.com/v1", next) == next);
  auto local = "http://127.0.0.1:4567/v1/trainings?cursor=abc%3D%3D";
  BOOST_TEST(resolved("http://127.0.0.1:4567/v1", local) == local);
  BOOST_TEST(resolved("https://API.replicate.com/v1",
                      "https://api.replicate.com:443/v1/p?cursor=1")
             == "https://api.replicate.com:443/v1/p?cursor=1");
}

BOOST_AUTO_TEST_CASE(relative_next_links_resolve_against_the_base) {
  BOOST_TEST(
      resolved("https://api.replicate.com/v1", "/v1/predictions?cursor=abc")
      == "https://api.replicate.com/v1/predictions?cursor=abc");
}

BOOST_AUTO_TEST_CASE(plain_http_links_to_an_https_api_are_upgraded) {
  BOOST_TEST(resolved("https://api.replicate.com/v1",
                      "http://api.replicate.com/v1/predictions?cursor=x")
             == "https://api.replicate.com/v1/predictions?cursor=x");
}

BOOST_AUTO_TEST_CASE(links_to_other_hosts_or_ports_are_refused) {
  auto base = "https://api.replicate.com/v1";
  for (auto next : {"https://evil.test/v1/predictions?cursor=x",
                    "https://api.replicate.com.evil.test/v1/predictions",
                    "https://api.replicate.com:8443/v1/predictions",
                    "http://api.replicate.com:8080/v1/predictions",
                    "//evil.test/v1/predictions", "ftp://api.replicate.com/x",
                    "http://[::1"})
    BOOST_TEST(!resolve_next_url(base, next).has_value(), next);
  BOOST_TEST(!resolve_next_url("http://127.0.0.1:4567/v1",
                               "http://127.0.0.1:4568/v1/p?cursor=1")
                  .has_value());
  BOOST_TEST(!resolve_next_url("http://127.0.0.1:4567/v1",
                               "https://127.0.0.1:4567/v1/p?cursor=1")
                  .has_value());
}

BOOST_AUTO_TEST_SUITE_END()
