#include "http/events_resource.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::http;

BOOST_AUTO_TEST_SUITE(events_request_suite)

BOOST_AUTO_TEST_CASE(the_header_wins_over_the_query_parameter) {
  auto r = parse_events_request("lastEventId=5", std::string{"9"});
  BOOST_REQUIRE(r);
  BOOST_TEST(*r->last_event_id == "9");
  r = parse_events_request("lastEventId=5", std::nullopt);
  BOOST_REQUIRE(r);
  BOOST_TEST(*r->last_event_id == "5");
  // EventSource sends no header before it saw an id; an empty one is none.
  r = parse_events_request("lastEventId=5", std::string{});
  BOOST_REQUIRE(r);
  BOOST_TEST(*r->last_event_id == "5");
  r = parse_events_request("", std::nullopt);
  BOOST_REQUIRE(r);
  BOOST_TEST(!r->last_event_id);
}

BOOST_AUTO_TEST_CASE(filters_are_read_decoded_and_other_parameters_ignored) {
  auto r = parse_events_request(
      "job_id=a%2Fb&provider=replicate&access_token=t&_=123", std::nullopt);
  BOOST_REQUIRE(r);
  BOOST_TEST(*r->job_id == "a/b");
  BOOST_TEST(*r->provider == "replicate");
}

BOOST_AUTO_TEST_CASE(an_empty_filter_or_a_malformed_query_is_a_bad_request) {
  for (std::string_view q :
       {"job_id=", "provider=", "job_id=%zz", "job_id=a&job_id=b"}) {
    auto r = parse_events_request(q, std::nullopt);
    BOOST_REQUIRE_MESSAGE(!r, q);
    BOOST_TEST((r.error().code == errc::bad_request));
  }
}

BOOST_AUTO_TEST_CASE(the_stream_headers_turn_off_caching_and_proxy_buffering) {
  auto h = event_stream_headers();
  using header = std::pair<std::string, std::string>;
  BOOST_TEST((h[0] == header{"Content-Type", "text/event-stream"}));
  BOOST_TEST((h[1] == header{"Cache-Control", "no-cache"}));
  BOOST_TEST((h[2] == header{"X-Accel-Buffering", "no"}));
}

BOOST_AUTO_TEST_SUITE_END()
