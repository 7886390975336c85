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
  // A token the provider refuses is an answer: not valid, and why.
  start_quiet({"--set", "providers.replicate.api_token=r8_wrong"});
  auto refused = api("GET", "/api/cloud/providers/replicate/validate");
  BOOST_TEST(refused.status == 200, refused.body);
  auto r = json_of(refused);
  BOOST_TEST(!r["valid"].GetBool());
  BOOST_TEST(std::string{r["provider"].GetString()} == "replicate");
  BOOST_TEST(std::string{r["detail"].GetString()}.find("authentication")
                 != std::string::npos,
             refused.body);
  BOOST_TEST(!r.HasMember("username"));
}

BOOST_AUTO_TEST_CASE(validate_without_a_token_is_an_answer_not_a_404) {
  start_quiet({"--set", "providers.replicate.api_token="});
  auto none = api("GET", "/api/cloud/providers/replicate/validate");
  BOOST_TEST(none.status == 200, none.body);
  auto d = json_of(none);
  BOOST_TEST(!d["valid"].GetBool());
  BOOST_TEST(
      std::string{d["detail"].GetString()}.find("providers.replicate.api_token")
          != std::string::npos,
      none.body);
  // The emulator was never asked.
  BOOST_TEST(sim_requests("account") == 0u);
  check_error(api("GET", "/api/cloud/providers/nobody/validate"), 404,
              "not_found", "nobody");
}

// 502 and 504 only when the provider could not be asked (in time).
BOOST_AUTO_TEST_CASE(validate_fails_only_when_the_provider_cannot_answer) {
  start_quiet({"--set", "providers.replicate.request_timeout_seconds=1",
               "--set", "providers.replicate.connect_timeout_seconds=1"});
  fault(R"({"endpoint":"account","kind":"status","status":503,"count":1})");
  check_error(api("GET", "/api/cloud/providers/replicate/validate"), 502,
              "provider_error", "Replicate");
  fault(R"({"endpoint":"account","kind":"slow","delay_ms":4000,"count":1})");
  check_error(api("GET", "/api/cloud/providers/replicate/validate"), 504,
              "timeout", "Replicate did not answer in time");
  // The provider asked us to wait: so does the answer.
  fault(R"({"endpoint":"account","kind":"status","status":429,)"
        R"("retry_after":9,"count":1})");
  auto limited = api("GET", "/api/cloud/providers/replicate/validate");
  check_error(limited, 429, "rate_limited");
  BOOST_TEST(limited.headers["retry-after"] == "9");
}

BOOST_AUTO_TEST_SUITE_END()
