// Replicate's error statuses and bodies, verbatim
// (tools/replicate-sim/README.md), and robustness against bad input.

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::test;

namespace {

constexpr const char* not_found_body
    = R"({"detail":"The requested resource could not be found.","status":404})";
constexpr const char* invalid_version_body
    = R"({"title":"Invalid version or not permitted","detail":"The specified )"
      R"(version does not exist (or perhaps you don't have permission to use )"
      R"x(it?)","status":422})x";

} // namespace

BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(a_missing_token_gets_replicates_401_body) {
  sim_process sim;
  for (auto path : {"/predictions", "/predictions/abc", "/account",
                    "/webhooks/default/secret", "/trainings", "/nothing"}) {
    auto r = http_request("GET", sim.base() + path);
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(r.status == 401);
      BOOST_TEST(r.headers["content-type"] == "application/problem+json");
      BOOST_TEST(r.body
                 == R"({"title":"Unauthenticated","detail":"You did not )"
                    R"(pass an authentication token","status":401})");
    }
  }
}

BOOST_AUTO_TEST_CASE(an_invalid_token_gets_replicates_other_401_body) {
  sim_process sim;
  for (auto header :
       {"Bearer r8_wrong", "Token r8_sim_token", "Bearer", "r8_sim_token"}) {
    auto r = http_request("GET", sim.base() + "/predictions", {},
                          {{"Authorization", header}});
    BOOST_TEST_CONTEXT(header) {
      BOOST_TEST(r.status == 401);
      BOOST_TEST(r.body
                 == R"({"title":"Unauthenticated","detail":"You did not )"
                    R"(pass a valid authentication token","status":401})");
    }
  }
}

BOOST_AUTO_TEST_CASE(extra_tokens_can_be_accepted) {
  sim_process sim{{"--token", "r8_one", "--token", "r8_two"}};
  for (auto token : {"r8_one", "r8_two"})
    BOOST_TEST(http_request("GET", sim.base() + "/account", {},
                            {{"Authorization", std::string{"Bearer "} + token}})
                   .status
               == 200);
  BOOST_TEST(sim.api("GET", "/account").status == 401);
}

BOOST_AUTO_TEST_CASE(unknown_jobs_and_routes_get_replicates_404_body) {
  sim_process sim;
  for (auto path : {"/predictions/doesnotexist", "/trainings/doesnotexist",
                    "/nothing/here", "/deployments/a/b/predictions"}) {
    auto r = sim.api("GET", path);
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST(r.status == 404);
      BOOST_TEST(r.headers["content-type"] == "application/problem+json");
      BOOST_TEST(r.body == not_found_body);
    }
  }
  auto cancel = sim.api("POST", "/predictions/doesnotexist/cancel");
  BOOST_TEST(cancel.status == 404);
  BOOST_TEST(cancel.body == not_found_body);
  // Outside /v1 there is no auth, and still no 501.
  auto other = http_request("GET", sim.root() + "/favicon.ico");
  BOOST_TEST(other.status == 404);
  BOOST_TEST(other.body == not_found_body);
  BOOST_TEST(http_request("PATCH", sim.root() + "/v1").status == 401);
}

BOOST_AUTO_TEST_CASE(a_wrong_method_gets_405) {
  sim_process sim;
  auto r = sim.api("DELETE", "/predictions");
  BOOST_TEST(r.status == 405);
  BOOST_TEST(r.body
             == R"({"detail":"Method \"DELETE\" not allowed.","status":405})");
  BOOST_TEST(sim.api("GET", "/predictions/abc/cancel").status == 405);
}

BOOST_AUTO_TEST_CASE(unknown_versions_get_replicates_422_body) {
  sim_process sim;
  auto hex = std::string(64, 'a');
  for (auto version : {std::string{"nobody/nothing"}, hex,
                       "simpletuner/advanced-trainer-h100:" + hex,
                       std::string{"not a version"}}) {
    auto r = sim.api("POST", "/predictions",
                     R"({"version":")" + version + R"(","input":{}})");
    BOOST_TEST_CONTEXT(version) {
      BOOST_TEST(r.status == 422);
      BOOST_TEST(r.headers["content-type"] == "application/problem+json");
      BOOST_TEST(r.body == invalid_version_body);
    }
  }
}

BOOST_AUTO_TEST_CASE(all_three_version_forms_are_accepted) {
  sim_process sim;
  auto models = parse_json(sim.admin("GET", "/models").body);
  std::string name = "simpletuner/advanced-trainer-l40s";
  std::string version;
  for (auto& m : models["models"].GetArray())
    if (str(m, "name") == name)
      version = str(m, "version");
  BOOST_REQUIRE(version.size() == 64u);
  for (auto form : {name, name + ":" + version, version}) {
    auto r = sim.api("POST", "/predictions",
                     R"({"version":")" + form + R"(","input":{"a":1}})");
    BOOST_TEST_CONTEXT(form) {
      BOOST_TEST(r.status == 201);
      auto j = parse_json(r.body);
      BOOST_TEST(str(j, "model") == name);
      BOOST_TEST(str(j, "version") == version);
    }
  }
  auto official = sim.api("POST", "/models/" + name + "/predictions",
                          R"({"input":{"a":1}})");
  BOOST_TEST(official.status == 201);
  BOOST_TEST(str(parse_json(official.body), "model") == name);
}

BOOST_AUTO_TEST_CASE(malformed_create_bodies_get_problem_details) {
  sim_process sim;
  struct bad {
    std::string body;
    long status;
    std::string field;
  };
  std::string v = R"("version":"simpletuner/advanced-trainer-h100")";
  std::vector<bad> cases{
      {"", 400, ""},
      {"not json", 400, ""},
      {"[1,2]", 400, ""},
      {R"({"input":{}})", 422, "version is required"},
      {"{" + v + "}", 422, "input is required"},
      {"{" + v + R"(,"input":"text"})", 422, "input: Invalid type"},
      {"{" + v + R"(,"input":{},"extra":1})", 422, "Additional property extra"},
      {"{" + v + R"(,"input":{},"webhook":"ftp://x"})", 422, "webhook"},
      {"{" + v + R"(,"input":{},"webhook":5})", 422, "webhook"},
      {"{" + v + R"(,"input":{},"webhook_events_filter":["done"]})", 422,
       "webhook_events_filter"},
      {"{" + v + R"(,"input":{},"webhook_events_filter":"start"})", 422,
       "webhook_events_filter"},
      {R"({"version":7,"input":{}})", 422, "version: Invalid type"},
  };
  for (auto& c : cases) {
    auto r = sim.api("POST", "/predictions", c.body);
    BOOST_TEST_CONTEXT(c.body) {
      BOOST_TEST(r.status == c.status);
      BOOST_TEST(r.headers["content-type"] == "application/problem+json");
      auto j = parse_json(r.body);
      BOOST_TEST(j["status"].GetInt() == c.status);
      BOOST_TEST(str(j, "detail").find(c.field) != std::string::npos);
    }
  }
  // Still serving after all that.
  BOOST_TEST(sim.api("GET", "/predictions").status == 200);
}

BOOST_AUTO_TEST_CASE(training_creation_checks_model_version_and_destination) {
  sim_process sim;
  auto models = parse_json(sim.admin("GET", "/models").body);
  std::string version;
  for (auto& m : models["models"].GetArray())
    if (str(m, "name") == "ostris/flux-dev-lora-trainer")
      version = str(m, "version");
  auto path = "/models/ostris/flux-dev-lora-trainer/versions/" + version
              + "/trainings";
  auto wrong_dest
      = sim.api("POST", path, R"({"destination":"someone/else","input":{}})");
  BOOST_TEST(wrong_dest.status == 404);
  BOOST_TEST(wrong_dest.body
             == R"({"detail":"The specified training destination does not )"
                R"(exist","status":404})");
  auto no_dest = sim.api("POST", path, R"({"input":{}})");
  BOOST_TEST(no_dest.status == 422);
  auto wrong_version = sim.api(
      "POST", "/models/ostris/flux-dev-lora-trainer/versions/abc/trainings",
      R"({"destination":"sim-user/x","input":{}})");
  BOOST_TEST(wrong_version.status == 404);
  BOOST_TEST(wrong_version.body == not_found_body);
  auto convenience = sim.api("POST", "/trainings",
                             R"({"version":"ostris/flux-dev-lora-trainer",)"
                             R"("destination":"sim-user/x","input":{}})");
  BOOST_TEST(convenience.status == 201);
}

BOOST_AUTO_TEST_CASE(cancel_after_sets_a_deadline_and_aborts_unstarted_jobs) {
  sim_process sim{{"--starting-seconds", "60", "--processing-seconds", "100",
                   "--jitter", "0", "--failure-rate", "0", "--cancel-rate",
                   "0"}};
  auto aborted = sim.create_prediction({}, {{"Cancel-After", "10s"}});
  auto canceled = sim.create_prediction({}, {{"Cancel-After", "1m30s"}});
  auto clamped = sim.create_prediction({}, {{"Cancel-After", "1s"}});
  auto j = sim.job(aborted);
  BOOST_TEST(type_of(j, "deadline") == "string");
  sim.advance_clock(11);
  j = sim.job(aborted);
  BOOST_TEST(str(j, "status") == "aborted");
  BOOST_TEST(type_of(j, "started_at") == "null");
  BOOST_TEST(type_of(j, "completed_at") == "string");
  BOOST_TEST(str(sim.job(clamped), "status") == "aborted");
  BOOST_TEST(str(sim.job(canceled), "status") == "starting");
  sim.advance_clock(60);
  BOOST_TEST(str(sim.job(canceled), "status") == "processing");
  sim.advance_clock(20);
  j = sim.job(canceled);
  BOOST_TEST(str(j, "status") == "canceled");
  BOOST_TEST(type_of(j, "started_at") == "string");
  BOOST_TEST(sim.api("POST", "/predictions",
                     R"({"version":"simpletuner/advanced-trainer-h100",)"
                     R"("input":{}})",
                     {{"Cancel-After", "soon"}})
                 .status
             == 400);
}

BOOST_AUTO_TEST_CASE(bad_list_queries_get_problem_details) {
  sim_process sim;
  auto bad_date = sim.api("GET", "/predictions?created_after=yesterday");
  BOOST_TEST(bad_date.status == 400);
  BOOST_TEST(bad_date.headers["content-type"] == "application/problem+json");
  auto bad_cursor = sim.api("GET", "/predictions?cursor=garbage");
  BOOST_TEST(bad_cursor.status == 404);
  BOOST_TEST(bad_cursor.body == R"({"detail":"Invalid cursor","status":404})");
  BOOST_TEST(sim.api("GET", "/predictions?cursor=%ZZ").status == 400);
}

BOOST_AUTO_TEST_CASE(bad_admin_requests_get_400_not_a_crash) {
  sim_process sim;
  for (auto body : {"not json", R"({"count":"x"})", R"({"count":0})",
                    R"({"colection":"predictions"})", R"({"status":"running"})",
                    R"({"outcome":"aborted"})", R"({"model":"noslash"})",
                    R"({"webhook":"x"})"}) {
    auto r = sim.admin("POST", "/jobs", body);
    BOOST_TEST_CONTEXT(body) {
      BOOST_TEST(r.status == 400);
      BOOST_TEST(r.headers["content-type"] == "application/problem+json");
    }
  }
  BOOST_TEST(sim.admin("POST", "/faults", R"({"kind":"explode"})").status
             == 400);
  BOOST_TEST(sim.admin("POST", "/faults", R"({"endpoint":"nope"})").status
             == 400);
  BOOST_TEST(sim.admin("POST", "/clock", "{}").status == 400);
  BOOST_TEST(sim.admin("POST", "/clock", R"({"advance_seconds":-1})").status
             == 400);
  BOOST_TEST(
      sim.admin("POST", "/jobs/nope/advance", R"({"to":"failed"})").status
      == 404);
  auto ids = sim.create_jobs(R"({"status":"starting"})");
  BOOST_TEST(
      sim.admin("POST", "/jobs/" + ids[0] + "/advance", R"({"to":"starting"})")
          .status
      == 400);
  BOOST_TEST(sim.admin("GET", "/nothing").status == 404);
  BOOST_TEST(sim.api("GET", "/account").status == 200);
}

BOOST_AUTO_TEST_SUITE_END()
