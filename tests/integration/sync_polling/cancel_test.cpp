#include "tests/integration/sync_polling/provider_fixture.hpp"

using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(cancel_and_validate, provider_fixture)

BOOST_AUTO_TEST_CASE(cancel_reaches_the_provider_and_stores_its_answer) {
  auto id = seed(R"({"status":"processing"})").front();
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  auto r = api("POST", "/api/cloud/jobs/" + id + "/cancel");
  BOOST_TEST(r.status == 200, r.body);
  auto d = json_of(r);
  BOOST_TEST(d["success"].GetBool());
  BOOST_TEST(std::string{d["status"].GetString()} == "cancelled");
  auto at_sim = json_of(http_get(sim.url("/_admin/jobs/" + id)));
  BOOST_TEST(std::string{at_sim["status"].GetString()} == "canceled");
  auto stored = job(id);
  BOOST_TEST(std::string{stored["completed_at"].GetString()}
             == at_sim["completed_at"].GetString());
  BOOST_TEST(std::string{stored["provider_status"].GetString()} == "canceled");
  check_error(api("POST", "/api/cloud/jobs/" + id + "/cancel"), 409,
              "invalid_job_state", "already cancelled");
}

BOOST_AUTO_TEST_CASE(a_refused_cancel_is_a_502_and_changes_nothing) {
  auto id = seed(R"({"status":"processing"})").front();
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  fault(R"({"endpoint":"cancel","kind":"status","status":500})");
  check_error(api("POST", "/api/cloud/jobs/" + id + "/cancel"), 502,
              "provider_error");
  BOOST_TEST(status_of(id) == "running");
}

BOOST_AUTO_TEST_CASE(unknown_and_forgotten_jobs) {
  auto id = seed(R"({"status":"processing"})").front();
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  check_error(api("POST", "/api/cloud/jobs/nope/cancel"), 404, "job_not_found");
  // The provider forgot the job: nothing runs there, so it is cancelled
  // locally and says so.
  http_request("DELETE", sim.url("/_admin/jobs/" + id));
  auto r = api("POST", "/api/cloud/jobs/" + id + "/cancel");
  BOOST_TEST(r.status == 200, r.body);
  auto stored = job(id);
  BOOST_TEST(std::string{stored["status"].GetString()} == "cancelled");
  BOOST_TEST(std::string{stored["error_message"].GetString()}.find("no longer")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(validate_checks_the_token) {
  start_quiet();
  auto ok = api("GET", "/api/cloud/providers/replicate/validate");
  BOOST_TEST(ok.status == 200, ok.body);
  auto d = json_of(ok);
  BOOST_TEST(d["valid"].GetBool());
  BOOST_TEST(std::string{d["username"].GetString()} == "sim-user");
  check_error(api("GET", "/api/cloud/providers/nobody/validate"), 404,
              "not_found", "nobody");
  server.reset();
  start_quiet({"--set", "providers.replicate.api_token=r8_wrong"});
  check_error(api("GET", "/api/cloud/providers/replicate/validate"), 502,
              "provider_error", "authentication");
}

BOOST_AUTO_TEST_SUITE_END()
