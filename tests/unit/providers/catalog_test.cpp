#include "providers/catalog.hpp"

#include "replicate/fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::providers;

namespace {

provider_options options(std::string name) {
  provider_options o;
  o.name = std::move(name);
  o.api_base_url = "http://127.0.0.1:9/v1";
  o.resource = "predictions";
  o.request_timeout = std::chrono::seconds{1};
  o.connect_timeout = std::chrono::seconds{1};
  o.max_concurrency = 1;
  o.pricing = test::default_pricing();
  return o;
}

} // namespace

BOOST_AUTO_TEST_SUITE(provider_catalog)

BOOST_AUTO_TEST_CASE(only_known_providers_with_workable_options_are_made) {
  auto unknown = make_provider(options("modal"));
  BOOST_REQUIRE(!unknown);
  BOOST_TEST((unknown.error().code == errc::bad_request));
  BOOST_TEST(unknown.error().detail.find("modal") != std::string::npos);
  auto bad = options("replicate");
  bad.api_base_url = "ftp://example";
  auto refused = make_provider(bad);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().detail.find("api_base_url") != std::string::npos);
  auto made = make_provider(options("replicate"));
  BOOST_REQUIRE(made);
  BOOST_TEST((*made)->name() == "replicate");
  BOOST_TEST((*made)->label() == "Replicate");
}

// Without a token the provider still reads webhook bodies, but its API is
// never asked: every call fails at once, on the caller's thread.
BOOST_AUTO_TEST_CASE(a_provider_without_a_token_reads_webhooks_only) {
  auto made = make_provider(options("replicate"));
  BOOST_REQUIRE(made);
  auto& p = **made;
  BOOST_TEST(!p.can_ask());
  BOOST_TEST(p.rate_limits().documented_per_minute == 3000);
  auto parsed = p.parse_webhook(R"({"id":"abc","status":"processing"})");
  BOOST_REQUIRE(parsed);
  BOOST_TEST(parsed->external_id == "abc");
  std::optional<result<std::string>> answer;
  p.validate([&](result<std::string> r) { answer = std::move(r); });
  BOOST_REQUIRE(answer.has_value());
  BOOST_REQUIRE(!*answer);
  BOOST_TEST((answer->error().code == errc::unavailable));
}

BOOST_AUTO_TEST_SUITE_END()
