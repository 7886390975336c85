// The HTTP server on its own, with a route table made for the test: every
// request gets exactly one JSON answer, whatever its handler does.

#include "http/error_table.hpp"
#include "http/server.hpp"

#include "tests/support/json_checks.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <thread>

using namespace jobsync;
using namespace jobsync::http;
using namespace jobsync::test;

namespace {

struct server_fixture {
  std::unique_ptr<server> srv;
  std::string base;

  server_fixture() {
    server_config config;
    config.port = 0;
    config.max_body_bytes = 1000;
    std::vector<route> routes{
        {"GET", "/echo/:name",
         [](const exchange_ptr& ex) {
           response r;
           r.body = "{\"name\":" + std::to_string(ex->params.at("name").size())
                    + "}";
           ex->respond(std::move(r));
         }},
        {"POST", "/echo/:name",
         [](const exchange_ptr& ex) {
           response r;
           r.status = 201;
           r.body = "{}";
           ex->respond(std::move(r));
         }},
        {"GET", "/throws",
         [](const exchange_ptr&) { throw std::runtime_error("boom"); }},
        {"GET", "/throws-anything", [](const exchange_ptr&) { throw 42; }},
        {"GET", "/forgets", [](const exchange_ptr&) {}},
        {"GET", "/forgets-later",
         [](const exchange_ptr& ex) {
           // Holds the exchange on another thread, then lets it go.
           std::thread{[held = ex]() mutable { held.reset(); }}.detach();
         }},
        {"POST", "/big",
         [](const exchange_ptr& ex) {
           response r;
           r.body = "{\"bytes\":" + std::to_string(ex->body.size()) + "}";
           ex->respond(std::move(r));
         },
         5000},
        {"POST", "/huge", [](const exchange_ptr& ex) { ex->respond({}); },
         size_t{40} << 20},
        {"GET", "/answers-twice",
         [](const exchange_ptr& ex) {
           ex->respond(error_response(errc::invalid_job_state, "first"));
           ex->respond(error_response(errc::internal, "second"));
         }},
    };
    auto started = server::start(config, std::move(routes));
    if (!started)
      BOOST_FAIL(started.error().detail);
    srv = std::move(*started);
    base = "http://127.0.0.1:" + std::to_string(srv->port());
  }

  ~server_fixture() {
    srv->stop();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(http_server, server_fixture)

BOOST_AUTO_TEST_CASE(a_route_gets_its_decoded_parameter) {
  auto r = http_get(base + "/echo/a%20b");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(json_of(r)["name"].GetInt() == 3);
  BOOST_TEST(http_request("POST", base + "/echo/x", "{}").status == 201);
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_is_a_500_not_a_closed_connection) {
  check_error(http_get(base + "/throws"), 500, "internal");
  check_error(http_get(base + "/throws-anything"), 500, "internal");
  // The server still serves.
  BOOST_TEST(http_get(base + "/echo/x").status == 200);
}

BOOST_AUTO_TEST_CASE(a_request_dropped_without_an_answer_is_a_500) {
  check_error(http_get(base + "/forgets"), 500, "internal",
              "without an answer");
  check_error(http_get(base + "/forgets-later"), 500, "internal",
              "without an answer");
}

BOOST_AUTO_TEST_CASE(only_the_first_answer_counts) {
  check_error(http_get(base + "/answers-twice"), 409, "invalid_job_state",
              "first");
}

BOOST_AUTO_TEST_CASE(unknown_routes_and_methods_are_json_404s) {
  check_error(http_get(base + "/nowhere"), 404, "not_found");
  check_error(http_request("DELETE", base + "/echo/x"), 404, "not_found");
  check_error(http_request("PATCH", base + "/echo/x", "{}"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_413) {
  check_error(http_request("POST", base + "/echo/x", std::string(1001, 'x')),
              413, "payload_too_large");
  BOOST_TEST(
      http_request("POST", base + "/echo/x", std::string(1000, 'x')).status
      == 201);
}

BOOST_AUTO_TEST_CASE(a_route_with_its_own_limit_takes_larger_bodies) {
  auto r = http_request("POST", base + "/big", std::string(5000, 'x'));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(json_of(r)["bytes"].GetInt() == 5000);
  check_error(http_request("POST", base + "/big", std::string(5001, 'x')), 413,
              "payload_too_large", "at most 5000");
  // RESTinio's own cut-off (64 MiB by default) grows with the largest
  // route limit, so a body above both still gets its 413.
  check_error(
      http_request("POST", base + "/huge", std::string(size_t{70} << 20, 'x')),
      413, "payload_too_large");
  // Other routes keep the server's limit.
  check_error(http_request("POST", base + "/echo/x", std::string(1001, 'x')),
              413, "payload_too_large", "at most 1000");
}

BOOST_AUTO_TEST_SUITE_END()
