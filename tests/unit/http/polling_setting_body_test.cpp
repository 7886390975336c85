#include "http/polling_setting_body.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::http;

BOOST_AUTO_TEST_SUITE(polling_setting_body)

BOOST_AUTO_TEST_CASE(a_setting_reads_enabled_provider_and_interval) {
  interval_limits limits{1, 86400};
  auto all = parse_polling_setting(R"({"enabled": null})", limits);
  BOOST_REQUIRE(all);
  BOOST_TEST(!all->enabled);
  BOOST_TEST(all->provider.empty());
  BOOST_TEST(!all->interval_seconds);
  auto one = parse_polling_setting(
      R"({"provider": "replicate", "enabled": false, "interval_seconds": 86400})",
      limits);
  BOOST_REQUIRE(one);
  BOOST_TEST((one->enabled == std::optional<bool>{false}));
  BOOST_TEST(one->provider == "replicate");
  BOOST_TEST((one->interval_seconds == std::optional<int>{86400}));
  auto nulls = parse_polling_setting(
      R"({"enabled": true, "provider": null, "interval_seconds": null})",
      limits);
  BOOST_REQUIRE(nulls);
  BOOST_TEST(nulls->provider.empty());
  BOOST_TEST(!nulls->interval_seconds);
}

BOOST_AUTO_TEST_CASE(bad_bodies_are_refused_naming_the_field) {
  interval_limits limits{1, 86400};
  std::pair<const char*, const char*> cases[] = {
      {"", "not JSON"},
      {"{\"enabled\": tru}", "not JSON"},
      {"true", "object"},
      {"{}", "enabled"},
      {R"({"enabled": 1})", "enabled"},
      {R"({"enabled": true, "provider": ""})", "provider"},
      {R"({"enabled": true, "provider": ["a"]})", "provider"},
      {R"({"enabled": true, "interval_seconds": 0})", "interval_seconds"},
      {R"({"enabled": true, "interval_seconds": 86401})", "interval_seconds"},
      {R"({"enabled": true, "interval_seconds": "5"})", "interval_seconds"},
      {R"({"enabled": true, "interval_seconds": 2.5})", "interval_seconds"},
      {R"({"enabled": true, "Enabled": true})", "Enabled"},
  };
  for (auto [body, field] : cases) {
    auto r = parse_polling_setting(body, limits);
    BOOST_REQUIRE_MESSAGE(!r, body);
    BOOST_TEST((r.error().code == errc::bad_request));
    BOOST_TEST(r.error().detail.find(field) != std::string::npos,
               body << " -> " << r.error().detail);
  }
}

BOOST_AUTO_TEST_SUITE_END()
