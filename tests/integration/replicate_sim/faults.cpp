// Fault injection through /_admin/faults.

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <regex>

using namespace jobsync;
using namespace jobsync::test;

namespace {

long add_fault(const sim_process& sim, const std::string& body) {
  auto r = sim.admin("POST", "/faults", body);
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  return parse_json(r.body)["id"].GetInt();
}

} // namespace

BOOST_AUTO_TEST_SUITE(faults)

BOOST_AUTO_TEST_CASE(a_429_fault_sends_retry_after_seconds_and_the_field) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"list","kind":"status","status":429,)"
                 R"("retry_after":7,"count":1})");
  auto r = sim.api("GET", "/predictions");
  BOOST_TEST(r.status == 429);
  BOOST_TEST(r.headers["retry-after"] == "7");
  BOOST_TEST(r.headers["content-type"] == "application/problem+json");
  BOOST_TEST(r.body
             == R"({"detail":"Request was throttled. Your rate limit resets )"
                R"(in ~7s.","status":429,"retry_after":7})");
  // count:1 is used up.
  BOOST_TEST(sim.api("GET", "/predictions").status == 200);
}

BOOST_AUTO_TEST_CASE(a_429_fault_without_retry_after_defaults_to_5_seconds) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"get","status":429,"count":1})");
  auto id = sim.create_prediction();
  auto r = sim.api("GET", "/predictions/" + id);
  BOOST_TEST(r.status == 429);
  BOOST_TEST(r.headers["retry-after"] == "5");
  BOOST_TEST(parse_json(r.body)["retry_after"].GetInt() == 5);
}

BOOST_AUTO_TEST_CASE(retry_after_can_be_an_http_date) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"*","status":503,"retry_after":30,)"
                 R"("retry_after_format":"date","count":1})");
  auto before = std::time(nullptr);
  auto r = sim.api("GET", "/account");
  BOOST_TEST(r.status == 503);
  auto date = r.headers["retry-after"];
  BOOST_TEST(std::regex_match(
                 date, std::regex{R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} )"
                                  R"(\d{2}:\d{2}:\d{2} GMT)"}),
             date);
  std::tm tm{};
  BOOST_REQUIRE(strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)
                != nullptr);
  auto when = timegm(&tm);
  BOOST_TEST(when >= before + 30);
  BOOST_TEST(when <= std::time(nullptr) + 31);
  auto j = parse_json(r.body);
  BOOST_TEST(j["status"].GetInt() == 503);
  BOOST_TEST(j["retry_after"].GetInt() == 30);
}

BOOST_AUTO_TEST_CASE(status_faults_send_problem_bodies_and_gateway_pages) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"get","status":500,"count":1})");
  add_fault(sim, R"({"endpoint":"get","status":502,"count":1})");
  auto id = sim.create_prediction();
  auto r500 = sim.api("GET", "/predictions/" + id);
  BOOST_TEST(r500.status == 500);
  BOOST_TEST(r500.headers["content-type"] == "application/problem+json");
  BOOST_TEST(r500.headers.count("retry-after") == 0u);
  auto r502 = sim.api("GET", "/predictions/" + id);
  BOOST_TEST(r502.status == 502);
  BOOST_TEST(r502.headers["content-type"] == "text/html");
  BOOST_TEST(r502.body.find("502 Bad Gateway") != std::string::npos);
  BOOST_TEST(sim.api("GET", "/predictions/" + id).status == 200);
}

BOOST_AUTO_TEST_CASE(a_slow_fault_holds_the_answer_back) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"account","kind":"slow","delay_ms":60000,)"
                 R"("count":1})");
  add_fault(sim, R"({"endpoint":"secret","kind":"slow","delay_ms":300,)"
                 R"("count":1})");
  // The answer cannot come before the delay, so a short client timeout
  // must expire.
  auto r = http_request("GET", sim.base() + "/account", {},
                        {{"Authorization", "Bearer " + sim_token}},
                        std::chrono::milliseconds(500));
  BOOST_TEST(r.status == 0);
  // A delayed answer is a normal answer.
  auto s = sim.api("GET", "/webhooks/default/secret");
  BOOST_TEST(s.status == 200);
  BOOST_TEST(str(parse_json(s.body), "key").rfind("whsec_", 0) == 0u);
  // Other requests are not held up meanwhile.
  BOOST_TEST(sim.api("GET", "/account").status == 200);
}

BOOST_AUTO_TEST_CASE(a_drop_fault_closes_the_connection_without_an_answer) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"create","kind":"drop","count":1})");
  auto r = sim.api("POST", "/predictions",
                   R"({"version":"simpletuner/advanced-trainer-h100",)"
                   R"("input":{}})");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(!r.error.empty());
  BOOST_TEST(sim.api("GET", "/predictions").status == 200);
}

BOOST_AUTO_TEST_CASE(a_malformed_fault_sends_invalid_json_with_200) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"list","kind":"malformed","count":1})");
  auto r = sim.api("GET", "/predictions");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.headers["content-type"] == "application/json");
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  BOOST_TEST(doc.HasParseError());
}

BOOST_AUTO_TEST_CASE(count_and_endpoint_limit_which_requests_are_hit) {
  sim_process sim;
  auto id = sim.create_prediction();
  add_fault(sim, R"({"endpoint":"get","status":500,"count":3})");
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST(sim.api("GET", "/predictions").status == 200);
    BOOST_TEST(sim.api("GET", "/predictions/" + id).status == 500);
  }
  BOOST_TEST(sim.api("GET", "/predictions/" + id).status == 200);
  auto listed = parse_json(sim.admin("GET", "/faults").body);
  BOOST_TEST(listed["faults"].Size() == 0u);
  add_fault(sim, R"({"endpoint":"*","status":503})");
  for (auto path : {"/predictions", "/account", "/hardware"})
    BOOST_TEST(sim.api("GET", path).status == 503);
  auto cleared = sim.admin("DELETE", "/faults");
  BOOST_TEST(cleared.status == 200);
  BOOST_TEST(parse_json(cleared.body)["cleared"].GetInt() == 1);
  BOOST_TEST(sim.api("GET", "/account").status == 200);
}

BOOST_AUTO_TEST_CASE(probabilistic_faults_hit_some_requests_reproducibly) {
  auto pattern = [] {
    sim_process sim;
    add_fault(sim, R"({"endpoint":"account","status":500,"probability":0.5})");
    std::string hits;
    for (int i = 0; i < 60; ++i)
      hits += sim.api("GET", "/account").status == 500 ? 'x' : '.';
    return hits;
  };
  auto first = pattern();
  auto hits = std::count(first.begin(), first.end(), 'x');
  BOOST_TEST(hits > 10);
  BOOST_TEST(hits < 50);
  BOOST_TEST(pattern() == first);
}

BOOST_AUTO_TEST_CASE(faults_do_not_touch_the_admin_api) {
  sim_process sim;
  add_fault(sim, R"({"endpoint":"*","kind":"drop"})");
  BOOST_TEST(sim.admin("GET", "/stats").status == 200);
  BOOST_TEST(sim.create_jobs("{}").size() == 1u);
  BOOST_TEST(sim.api("GET", "/account").status == 0);
}

BOOST_AUTO_TEST_SUITE_END()
