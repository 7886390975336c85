#include "http/health_resource.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "tests/unit/http/route_server.hpp"

#include "tests/support/json_checks.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <rapidjson/document.h>

#include <atomic>

using namespace jobsync;
using namespace jobsync::http;
using namespace jobsync::test;

BOOST_AUTO_TEST_SUITE(health_resource)

BOOST_AUTO_TEST_CASE(include_replicate_is_a_flag_and_defaults_to_false) {
  BOOST_TEST(!*parse_health_request(""));
  BOOST_TEST(*parse_health_request("include_replicate=true"));
  BOOST_TEST(*parse_health_request("include_replicate=1"));
  BOOST_TEST(!*parse_health_request("include_replicate=0"));
  BOOST_TEST(!*parse_health_request("other=1"));
  for (auto bad :
       {"include_replicate=yes", "include_replicate=",
        "include_replicate=1&include_replicate=1", "include_replicate=%zz"}) {
    auto r = parse_health_request(bad);
    BOOST_REQUIRE_MESSAGE(!r, bad);
    BOOST_TEST((r.error().code == errc::bad_request));
    BOOST_TEST(r.error().detail.find("include_replicate") != std::string::npos,
               r.error().detail);
  }
}

BOOST_AUTO_TEST_CASE(the_report_has_simpletuners_members) {
  health_report r;
  r.components.push_back({"database", health_status::healthy, "ok", 0.123});
  r.components.push_back(
      {"secrets_replicate", health_status::degraded, "no token", {}});
  auto started = unix_ms{1'700'000'000'000};
  rapidjson::Document d;
  d.Parse(health_json(r, started, started + 12'345).c_str());
  BOOST_REQUIRE(!d.HasParseError());
  BOOST_TEST(d.MemberCount() == 4u);
  BOOST_TEST(std::string{d["status"].GetString()} == "degraded");
  BOOST_TEST(d["uptime_seconds"].GetDouble() == 12.35);
  BOOST_TEST(std::string{d["timestamp"].GetString()}
             == format_rfc3339(started + 12'345));
  const auto& c = d["components"];
  BOOST_REQUIRE(c.Size() == 2u);
  BOOST_TEST(c[0].MemberCount() == 4u);
  BOOST_TEST(std::string{c[0]["name"].GetString()} == "database");
  BOOST_TEST(std::string{c[0]["status"].GetString()} == "healthy");
  BOOST_TEST(std::string{c[0]["message"].GetString()} == "ok");
  BOOST_TEST(c[0]["latency_ms"].GetDouble() == 0.12);
  BOOST_TEST(c[1]["latency_ms"].IsNull());
  BOOST_TEST(std::string{c[1]["status"].GetString()} == "degraded");
}

BOOST_AUTO_TEST_SUITE_END()

// -- through the server, with an overview that says what the test wants ------

namespace {

// What the fake overview answers.
struct overview_says {
  health_report report;
  readiness ready{true, {}};
  std::atomic<bool> asked_providers{false};
};

caf::behavior fake_overview(std::shared_ptr<overview_says> says) {
  return {
      [says](health_atom, bool ask_providers) {
        says->asked_providers = ask_providers;
        return says->report;
      },
      [says](ready_atom) { return says->ready; },
  };
}

struct health_server {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::shared_ptr<overview_says> says = std::make_shared<overview_says>();
  caf::actor overview;
  std::unique_ptr<server> srv;
  std::string base;

  health_server() {
    api_config config;
    // The health routes are public: the token changes nothing for them.
    config.api_token = "s3cret";
    api_actors actors;
    overview = sys.spawn(fake_overview, says);
    actors.overview = caf::actor_cast<overview_actor>(overview);
    auto a = std::make_shared<const api>(sys, config, actors);
    srv = serve_routes(a, 16);
    base = base_url(*srv);
  }

  ~health_server() {
    srv->stop();
    caf::anon_send_exit(overview, caf::exit_reason::user_shutdown);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(health_routes, health_server)

BOOST_AUTO_TEST_CASE(an_unhealthy_report_is_a_503_and_a_degraded_one_a_200) {
  says->report.components
      = {{"database", health_status::healthy, "ok", 0.1},
         {"secrets_replicate", health_status::degraded, "no token", {}}};
  auto r = test::http_get(base + "/api/cloud/health?include_replicate=true");
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(says->asked_providers);
  auto d = test::json_of(r);
  BOOST_TEST(std::string{d["status"].GetString()} == "degraded");
  BOOST_TEST(d["components"].Size() == 2u);
  says->report.components[0].status = health_status::unhealthy;
  r = test::http_get(base + "/api/cloud/health");
  BOOST_TEST(r.status == 503, r.body);
  BOOST_TEST(!says->asked_providers);
  // The report itself, not the error shape.
  d = test::json_of(r);
  BOOST_TEST(std::string{d["status"].GetString()} == "unhealthy");
  test::check_error(
      test::http_get(base + "/api/cloud/health?include_replicate=x"), 400,
      "bad_request", "include_replicate");
}

BOOST_AUTO_TEST_CASE(simpletuners_probes_answer_as_healthz_and_readyz) {
  for (auto path : {"/api/cloud/health/live", "/healthz"}) {
    auto r = test::http_get(base + path);
    BOOST_TEST(r.status == 200, path);
    BOOST_TEST(r.body == R"({"status":"ok"})", path);
  }
  for (auto path : {"/api/cloud/health/ready", "/readyz"}) {
    auto r = test::http_get(base + path);
    BOOST_TEST(r.status == 200, path);
    BOOST_TEST(r.body == R"({"status":"ready"})", path);
  }
  says->ready = readiness{false, "the first poll of replicate has not "
                                 "finished yet"};
  for (auto path : {"/api/cloud/health/ready", "/readyz"})
    test::check_error(test::http_get(base + path), 503, "unavailable",
                      "Not ready: the first poll");
  auto head = test::http_request("HEAD", base + "/api/cloud/health/live");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
}

BOOST_AUTO_TEST_SUITE_END()
