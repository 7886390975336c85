#include "replicate/fixture.hpp"

#include "providers/response_classifier.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::providers;
using jobsync::test::fixture;

namespace {

const unix_ms now = 784111777000; // Sun, 06 Nov 1994 08:49:37 GMT

http_response response(long status, std::string body = {},
                       std::map<std::string, std::string> headers = {}) {
  http_response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

failure classify(const http_response& r) {
  auto e = classify_response(r, "replicate", now);
  BOOST_REQUIRE_MESSAGE(e, "no error for status " << r.status);
  BOOST_TEST(!e->detail.empty());
  return *e;
}

std::string kind(const http_response& r) {
  return std::string{to_string(classify(r).code)};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(response_classifier)

BOOST_AUTO_TEST_CASE(two_hundreds_are_not_errors) {
  for (long status : {200L, 201L, 202L, 204L})
    BOOST_TEST(!classify_response(response(status), "replicate", now));
}

// The provider's statuses become the API's codes: 401 unauthorized, 404
// not_found, other 4xx bad_request, 429 rate_limited, 5xx and unexpected
// statuses provider_error.
BOOST_AUTO_TEST_CASE(statuses_map_to_error_kinds) {
  BOOST_TEST(kind(response(401, fixture("error_401.json"))) == "unauthorized");
  BOOST_TEST(kind(response(404, fixture("error_404.json"))) == "not_found");
  BOOST_TEST(kind(response(422, fixture("error_422.json"))) == "bad_request");
  BOOST_TEST(kind(response(400)) == "bad_request");
  BOOST_TEST(kind(response(403)) == "bad_request");
  BOOST_TEST(kind(response(413)) == "bad_request");
  BOOST_TEST(kind(response(429, fixture("error_429.json"))) == "rate_limited");
  BOOST_TEST(kind(response(500)) == "provider_error");
  BOOST_TEST(kind(response(502, "<html>Bad Gateway</html>"))
             == "provider_error");
  BOOST_TEST(kind(response(503)) == "provider_error");
  BOOST_TEST(kind(response(302)) == "provider_error");
  BOOST_TEST(kind(response(101)) == "provider_error");
}

BOOST_AUTO_TEST_CASE(messages_carry_the_providers_detail_and_status) {
  auto e = classify(response(401, fixture("error_401.json")));
  BOOST_TEST(contains(e.detail, "(HTTP 401)"));
  BOOST_TEST(contains(e.detail, "replicate"));
  BOOST_TEST(contains(e.detail, "HTTP 401"));
  BOOST_TEST(
      contains(e.detail, "You did not pass a valid authentication token"));
  auto t
      = classify(response(422, R"({"title":"Invalid version","status":422})"));
  BOOST_TEST(contains(t.detail, "Invalid version"));
  auto html = classify(response(502, "<html>Bad Gateway</html>"));
  BOOST_TEST(contains(html.detail, "<html>Bad Gateway</html>"));
  auto plain = classify(response(500));
  BOOST_TEST(contains(plain.detail, "HTTP 500"));
}

BOOST_AUTO_TEST_CASE(a_long_non_json_body_is_cut_short) {
  auto e = classify(response(500, std::string(5000, 'x')));
  BOOST_TEST(e.detail.size() < 400u);
  BOOST_TEST(contains(e.detail, "..."));
}

BOOST_AUTO_TEST_CASE(retry_after_seconds_header_gives_the_delay) {
  auto e = classify(
      response(429, fixture("error_429.json"), {{"retry-after", "7"}}));
  BOOST_REQUIRE(e.retry_after);
  BOOST_TEST(e.retry_after->count() == 7);
  BOOST_TEST(contains(e.detail, "retry in 7 s"));
  BOOST_TEST(contains(e.detail, "Request was throttled"));
}

BOOST_AUTO_TEST_CASE(retry_after_date_header_gives_the_delay) {
  auto e = classify(
      response(429, {}, {{"retry-after", "Sun, 06 Nov 1994 08:50:07 GMT"}}));
  BOOST_REQUIRE(e.retry_after);
  BOOST_TEST(e.retry_after->count() == 30);
}

BOOST_AUTO_TEST_CASE(the_body_retry_after_is_used_without_a_header) {
  auto e = classify(response(429, fixture("error_429.json")));
  BOOST_REQUIRE(e.retry_after);
  BOOST_TEST(e.retry_after->count() == 5);
  auto garbage = classify(
      response(429, fixture("error_429.json"), {{"retry-after", "soon"}}));
  BOOST_TEST(garbage.retry_after.value_or(std::chrono::seconds{-1}).count()
             == 5);
  auto fraction = classify(response(429, R"({"retry_after":2.2})"));
  BOOST_TEST(fraction.retry_after.value_or(std::chrono::seconds{-1}).count()
             == 3);
}

BOOST_AUTO_TEST_CASE(a_503_says_how_long_to_wait_in_its_retry_after) {
  auto e = classify(response(503, {}, {{"retry-after", "4"}}));
  BOOST_TEST(to_string(e.code) == "provider_error");
  BOOST_REQUIRE(e.retry_after);
  BOOST_TEST(e.retry_after->count() == 4);
  BOOST_TEST(contains(e.detail, "retry in 4 s"));
  // Only a 503's: a 500 is a fault, not a stated outage.
  BOOST_TEST(!classify(response(500, {}, {{"retry-after", "4"}}))
                  .retry_after.has_value());
}

BOOST_AUTO_TEST_CASE(a_429_without_any_delay_has_none) {
  auto e = classify(response(429, R"({"detail":"slow down"})",
                             {{"retry-after", "whenever"}}));
  BOOST_TEST(!e.retry_after.has_value());
  BOOST_TEST(to_string(e.code) == "rate_limited");
}

// A deadline that passed is timeout; no connection, or one that broke, is
// unavailable (the provider could not be asked).
BOOST_AUTO_TEST_CASE(transfer_errors_map_to_timeout_and_network) {
  http_response r;
  r.error = http_error_kind::timeout;
  r.error_text = "Operation timed out after 500 milliseconds";
  auto t = classify(r);
  BOOST_TEST(to_string(t.code) == "timeout");
  BOOST_TEST(contains(t.detail, "Operation timed out"));
  r.error = http_error_kind::connect_failed;
  r.error_text = "Connection refused";
  BOOST_TEST(to_string(classify(r).code) == "unavailable");
  r.error = http_error_kind::other;
  r.error_text = "Empty reply from server";
  auto dropped = classify(r);
  BOOST_TEST(to_string(dropped.code) == "unavailable");
  BOOST_TEST(contains(dropped.detail, "Empty reply from server"));
  // A transfer error wins even if a status line had arrived.
  r.status = 200;
  BOOST_TEST(to_string(classify(r).code) == "unavailable");
}

BOOST_AUTO_TEST_CASE(rate_limit_headers_are_read) {
  rate_limit_facts info;
  read_rate_limit({{"ratelimit-remaining", "2999"}, {"ratelimit-reset", "1"}},
                  info);
  BOOST_TEST(info.remaining.value_or(-1) == 2999);
  BOOST_TEST(info.reset_seconds.value_or(-1) == 1);
  rate_limit_facts none;
  read_rate_limit({{"content-type", "application/json"}}, none);
  BOOST_TEST(!none.remaining);
  BOOST_TEST(!none.reset_seconds);
  rate_limit_facts bad;
  read_rate_limit({{"ratelimit-remaining", "lots"}}, bad);
  BOOST_TEST(!bad.remaining);
}

// A provider failure (5xx, or an answer that cannot be read: a proxy's
// truncated body) may pass; a refusal of the request itself will not.
BOOST_AUTO_TEST_CASE(only_transient_kinds_are_worth_retrying) {
  BOOST_TEST(is_transient(errc::rate_limited));
  BOOST_TEST(is_transient(errc::provider_error));
  BOOST_TEST(is_transient(errc::timeout));
  BOOST_TEST(is_transient(errc::unavailable));
  BOOST_TEST(!is_transient(errc::unauthorized));
  BOOST_TEST(!is_transient(errc::not_found));
  BOOST_TEST(!is_transient(errc::bad_request));
}

BOOST_AUTO_TEST_CASE(malformed_errors_name_the_request_and_reason) {
  auto e = malformed_response("replicate", "GET https://x.test/v1/account",
                              "the body has no `username` string");
  BOOST_TEST(to_string(e.code) == "provider_error");
  BOOST_TEST(contains(e.detail, "unexpected answer"));
  BOOST_TEST(contains(e.detail, "GET https://x.test/v1/account"));
  BOOST_TEST(contains(e.detail, "username"));
}

BOOST_AUTO_TEST_SUITE_END()
