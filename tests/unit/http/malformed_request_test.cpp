#include "http/connection_ledger.hpp"
#include "http/malformed_request.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync::http;

BOOST_AUTO_TEST_SUITE(malformed_requests)

BOOST_AUTO_TEST_CASE(restinio_parser_error_lines_are_recognized) {
  auto bad = malformed_request_of(
      "[connection:17] parser error HPE_INVALID_METHOD: invalid HTTP method");
  BOOST_REQUIRE(bad);
  BOOST_TEST(bad->connection_id == 17u);
  BOOST_TEST(bad->detail
             == "The request is not valid HTTP: invalid HTTP method "
                "(HPE_INVALID_METHOD)");
  auto big = malformed_request_of("[connection:3] parser error "
                                  "HPE_HEADER_OVERFLOW: header overflow");
  BOOST_REQUIRE(big);
  BOOST_TEST(big->detail.find("header section is larger") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(other_log_lines_are_not) {
  for (auto line : {
           "[connection:17] read socket error: End of file; parsed bytes: 3",
           "[connection:x] parser error HPE_INVALID_METHOD: invalid",
           "[connection:17] parser error HPE_INVALID_METHOD",
           "parser error HPE_INVALID_METHOD: invalid HTTP method",
           "",
       })
    BOOST_TEST(!malformed_request_of(line), line);
}

BOOST_AUTO_TEST_CASE(the_refusal_is_a_complete_json_400_that_closes) {
  auto bytes = bad_request_bytes("no \"good\"");
  auto body = std::string{R"({"detail":"no \"good\"","error":"bad_request"})"};
  BOOST_TEST(bytes
             == "HTTP/1.1 400 Bad Request\r\n"
                "Content-Type: application/json; charset=utf-8\r\n"
                "Content-Length: "
                    + std::to_string(body.size())
                    + "\r\nConnection: close\r\n\r\n" + body);
}

BOOST_AUTO_TEST_CASE(a_connection_is_idle_once_every_response_is_written) {
  connection_ledger ledger;
  BOOST_TEST(ledger.idle(1));
  ledger.request_started(1);
  ledger.request_started(1);
  ledger.request_started(2);
  BOOST_TEST(!ledger.idle(1));
  ledger.response_written(1);
  BOOST_TEST(!ledger.idle(1));
  ledger.response_written(1);
  BOOST_TEST(ledger.idle(1));
  // A write reported twice (or after the close) changes nothing.
  ledger.response_written(1);
  BOOST_TEST(ledger.idle(1));
  BOOST_TEST(!ledger.idle(2));
  ledger.connection_closed(2);
  BOOST_TEST(ledger.idle(2));
}

BOOST_AUTO_TEST_SUITE_END()
