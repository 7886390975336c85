// The HTTP server on its own, with a route table made for the test: every
// request gets exactly one JSON answer, whatever its handler does.

#include "http/error_table.hpp"
#include "http/server.hpp"

#include "tests/support/json_checks.hpp"
#include "tests/support/raw_http.hpp"

#include <boost/test/unit_test.hpp>

#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace jobsync;
using namespace jobsync::http;
using namespace jobsync::test;

namespace {

struct server_fixture {
  std::unique_ptr<server> srv;
  std::string base;
  // Threads that hold an exchange: joined before the server stops, since a
  // request handle must not outlive the server.
  std::mutex holders_mtx;
  std::vector<std::thread> holders;

  server_fixture() {
    server_config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.threads = 2;
    config.max_connections = 1024;
    config.request_timeout = std::chrono::seconds{60};
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
         [this](const exchange_ptr& ex) {
           // Holds the exchange on another thread, then lets it go.
           std::lock_guard<std::mutex> guard{holders_mtx};
           holders.emplace_back([held = ex]() mutable { held.reset(); });
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
    {
      std::lock_guard<std::mutex> guard{holders_mtx};
      for (auto& t : holders)
        t.join();
    }
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

BOOST_AUTO_TEST_CASE(unknown_paths_are_json_404s) {
  check_error(http_get(base + "/nowhere"), 404, "not_found");
  check_error(http_request("DELETE", base + "/nowhere"), 404, "not_found");
}

// As in SimpleTuner's server: a path in other letters is another path,
// for the routes and for the 405 check alike.
BOOST_AUTO_TEST_CASE(paths_are_case_sensitive) {
  BOOST_TEST(http_get(base + "/echo/x").status == 200);
  check_error(http_get(base + "/ECHO/x"), 404, "not_found");
  check_error(http_request("DELETE", base + "/Echo/x"), 404, "not_found");
  // The parameter keeps its letters.
  BOOST_TEST(http_get(base + "/echo/AbC").status == 200);
}

BOOST_AUTO_TEST_CASE(a_known_path_with_another_method_is_a_405_with_allow) {
  for (auto method : {"DELETE", "PATCH", "PUT", "OPTIONS"}) {
    auto r = http_request(method, base + "/echo/x", "{}");
    check_error(r, 405, "method_not_allowed", method);
    BOOST_TEST(r.headers["allow"] == "GET, HEAD, POST", method);
  }
  auto r = http_request("POST", base + "/throws");
  check_error(r, 405, "method_not_allowed");
  BOOST_TEST(r.headers["allow"] == "GET, HEAD");
}

BOOST_AUTO_TEST_CASE(head_answers_a_get_route_with_its_headers_and_no_body) {
  auto get = http_get(base + "/echo/abc");
  auto head = http_request("HEAD", base + "/echo/abc");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
  BOOST_TEST(head.headers["content-type"] == get.headers["content-type"]);
  BOOST_TEST(head.headers["content-length"] == get.headers["content-length"]);
  BOOST_TEST(head.headers["content-length"] == "10");
  // Errors too: the status and headers, never a body.
  auto missing = http_request("HEAD", base + "/nowhere");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(missing.body.empty());
  auto failing = http_request("HEAD", base + "/throws");
  BOOST_TEST(failing.status == 500);
  BOOST_TEST(failing.body.empty());
}

BOOST_AUTO_TEST_CASE(a_request_that_is_not_http_gets_a_400_before_the_close) {
  auto port = srv->port();
  for (std::string bad : {
           std::string{"HELLO WORLD\r\n\r\n"},
           std::string{"POST /echo/x HTTP/1.1\r\nHost: x\r\nContent-Length: "
                       "abc\r\n\r\n"},
           "GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Long: "
               + std::string(size_t{2} << 20, 'a') + "\r\n\r\n",
       }) {
    auto answer = raw_exchange(port, bad);
    BOOST_TEST_INFO(bad.substr(0, 40));
    BOOST_TEST(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0, answer);
    BOOST_TEST(answer.find("Connection: close\r\n") != std::string::npos);
    auto head_end = answer.find("\r\n\r\n");
    BOOST_REQUIRE(head_end != std::string::npos);
    auto body = answer.substr(head_end + 4);
    http_response r;
    r.status = 400;
    r.body = body;
    r.headers["content-type"] = "application/json";
    check_error(r, 400, "bad_request");
  }
  BOOST_TEST(raw_exchange(port, "HELLO WORLD\r\n\r\n").find("not valid HTTP")
             != std::string::npos);
  BOOST_TEST(raw_exchange(port, std::string{"GET / HTTP/1.1\r\nX: "}
                                    + std::string(size_t{2} << 20, 'a')
                                    + "\r\n\r\n")
                 .find("header section is larger")
             != std::string::npos);
  // The server still serves.
  BOOST_TEST(http_get(base + "/echo/x").status == 200);
}

BOOST_AUTO_TEST_CASE(garbage_behind_a_valid_request_never_corrupts_its_answer) {
  // The first answer may still be on its way when the garbage is parsed:
  // the connection then closes without a refusal of its own.
  auto answer
      = raw_exchange(srv->port(), "GET /echo/abc HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "HELLO WORLD\r\n\r\n");
  BOOST_TEST(answer.rfind("HTTP/1.1 200 OK\r\n", 0) == 0, answer);
  BOOST_TEST(answer.find("{\"name\":3}") != std::string::npos, answer);
}

// RESTinio 0.6.16 closed the connection after 3 answers when 8 or more
// requests to a route answered at once came in one write.
BOOST_AUTO_TEST_CASE(pipelined_requests_are_all_answered_in_order) {
  std::string requests;
  const size_t n = 40;
  for (size_t i = 1; i <= n; ++i)
    requests += "GET /echo/" + std::string(i, 'a') + " HTTP/1.1\r\nHost: x\r\n"
                + (i == n ? "Connection: close\r\n" : "") + "\r\n";
  auto answer = raw_exchange(srv->port(), requests);
  size_t at = 0;
  for (size_t i = 1; i <= n; ++i) {
    BOOST_TEST_INFO("answer " << i);
    auto status = answer.find("HTTP/1.1 200 OK\r\n", at);
    BOOST_REQUIRE(status != std::string::npos);
    auto body = answer.find("{\"name\":" + std::to_string(i) + "}", status);
    BOOST_REQUIRE(body != std::string::npos);
    at = body;
  }
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
  // RESTinio's own cut-off is twice the largest route limit (80 MiB
  // here), so a body above the route's limit still gets its 413.
  check_error(
      http_request("POST", base + "/huge", std::string(size_t{70} << 20, 'x')),
      413, "payload_too_large");
  // Other routes keep the server's limit.
  check_error(http_request("POST", base + "/echo/x", std::string(1001, 'x')),
              413, "payload_too_large", "at most 1000");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(http_server_settings)

BOOST_AUTO_TEST_CASE(a_listener_that_could_not_serve_anyone_is_refused) {
  server_config good;
  good.host = "127.0.0.1";
  good.threads = 1;
  good.max_connections = 8;
  good.request_timeout = std::chrono::seconds{5};
  BOOST_TEST(static_cast<bool>(good.validate()));
  auto no_threads = good;
  no_threads.threads = 0;
  auto no_room = good;
  no_room.max_connections = 0;
  auto no_time = good;
  no_time.request_timeout = std::chrono::seconds{0};
  for (const auto& bad : {no_threads, no_room, no_time}) {
    BOOST_TEST(!static_cast<bool>(bad.validate()));
    // Refused at once, instead of waiting forever for I/O threads.
    auto started = server::start(bad, {});
    BOOST_REQUIRE(!started);
    BOOST_TEST((started.error().code == errc::bad_request));
  }
}

BOOST_AUTO_TEST_SUITE_END()
