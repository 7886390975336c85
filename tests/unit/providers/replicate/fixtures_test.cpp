// Every body quoted in REPLICATE.md §8, recorded under fixtures/.
#include "fixture.hpp"

#include "providers/replicate/prediction.hpp"
#include "providers/response_classifier.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <cmath>

using namespace jobsync;
using namespace jobsync::providers::replicate;
using jobsync::test::default_pricing;
using jobsync::test::fixture;

namespace {

provider_snapshot parse_fixture(const std::string& name) {
  auto r = parse_job_json(fixture(name), default_pricing(), "replicate");
  BOOST_REQUIRE_MESSAGE(r, name << " refused: " << (r ? "" : r.error().detail));
  return *r;
}

const std::string api = "https://api.replicate.com/v1";

std::string word(const std::optional<job_status>& x) {
  return x ? std::string{to_string(*x)} : "none";
}

} // namespace

BOOST_AUTO_TEST_SUITE(replicate_fixtures)

BOOST_AUTO_TEST_CASE(the_list_page_holds_full_prediction_objects) {
  rapidjson::Document doc;
  auto text = fixture("list_page.json");
  doc.Parse(text.data(), text.size());
  BOOST_REQUIRE(!doc.HasParseError());
  std::string next = doc["next"].GetString();
  BOOST_TEST(next.rfind(api + "/predictions?cursor=", 0) == 0u);
  BOOST_TEST(doc["previous"].IsNull());
  auto& results = doc["results"];
  BOOST_REQUIRE(results.IsArray());
  BOOST_REQUIRE(results.Size() == 2u);
  auto first = parse_job(results[0], default_pricing(), "replicate");
  auto second = parse_job(results[1], default_pricing(), "replicate");
  BOOST_REQUIRE(first);
  BOOST_REQUIRE(second);
  BOOST_TEST(first->external_id == "p2xk7tqd5nrm80cq9xqtcbaw4m");
  BOOST_TEST(word(first->status) == "running");
  BOOST_TEST(word(second->status) == "cancelled");
}

BOOST_AUTO_TEST_CASE(the_created_body_is_a_queued_job) {
  auto s = parse_fixture("created.json");
  BOOST_TEST(s.external_id == "vcscvthbaxrm80cq9xqtcbaw4m");
  BOOST_TEST(s.provider_status == "starting");
  BOOST_TEST(word(s.status) == "queued");
  BOOST_TEST(s.created_at.value_or("") == "2025-06-08T12:06:15.12754301Z");
  BOOST_TEST(!s.started_at);
  BOOST_TEST(!s.completed_at);
  BOOST_TEST(s.logs.value_or("-") == "");
  BOOST_TEST(!s.output_url);
  BOOST_TEST(!s.error_message);
  BOOST_TEST(!s.cost_usd);
  BOOST_TEST(s.metadata.at("model")
             == R"("simpletuner/advanced-trainer-h100")");
  BOOST_TEST(s.metadata.at("source") == R"("api")");
  BOOST_TEST(s.metadata.at("data_removed") == "false");
  BOOST_TEST(
      s.metadata.at("urls").find("replicate.com/p/vcscvthbaxrm80cq9xqtcbaw4m")
      != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_processing_body_is_a_running_job_with_logs) {
  auto s = parse_fixture("processing.json");
  BOOST_TEST(word(s.status) == "running");
  BOOST_TEST(s.started_at.value_or("") == "2025-06-08T12:06:20.5Z");
  BOOST_TEST(!s.completed_at);
  BOOST_TEST(s.logs.value_or("") == "step 10/1000 loss 0.1234\n");
  BOOST_TEST(!s.cost_usd);
}

BOOST_AUTO_TEST_CASE(the_succeeded_body_has_output_and_cost) {
  auto s = parse_fixture("succeeded.json");
  BOOST_TEST(word(s.status) == "completed");
  BOOST_TEST(s.completed_at.value_or("") == "2025-06-08T12:36:20.383588891Z");
  BOOST_TEST(s.started_at.value_or("") == "2025-06-08T12:06:20.500000Z");
  BOOST_TEST(s.output_url.value_or("")
             == "https://replicate.delivery/xezq/abc123/lora.safetensors");
  // simpletuner/advanced-trainer-h100 runs on an H100, and is priced so.
  BOOST_REQUIRE(s.cost_usd);
  BOOST_TEST(std::fabs(*s.cost_usd - 1799.883588 * 0.001525) < 1e-9);
  BOOST_TEST(s.hardware_type.value_or("") == "H100 (80GB)");
}

BOOST_AUTO_TEST_CASE(the_failed_body_carries_the_error) {
  auto s = parse_fixture("failed.json");
  BOOST_TEST(word(s.status) == "failed");
  BOOST_TEST(s.error_message.value_or("")
             == "CUDA out of memory. Tried to allocate 2.00 GiB");
  BOOST_TEST(!s.output_url);
  BOOST_TEST(s.created_at.value_or("") == "2025-06-08T12:06:15.127Z");
  BOOST_TEST(s.completed_at.value_or("") == "2025-06-08T12:07:01.25Z");
  BOOST_TEST(std::fabs(s.cost_usd.value_or(0) - 40.75 * 0.001525) < 1e-9);
}

BOOST_AUTO_TEST_CASE(the_recorded_canceled_body_is_a_cancelled_job) {
  auto s = parse_fixture("canceled.json");
  BOOST_TEST(s.external_id == "hdwst0bb05rgp0cf0p29mzk2am");
  BOOST_TEST(word(s.status) == "cancelled");
  BOOST_TEST(s.provider_status == "canceled");
  BOOST_TEST(!s.logs);
  BOOST_TEST(!s.error_message);
  BOOST_TEST(s.completed_at.value_or("") == "2024-04-22T11:15:15.504128Z");
  BOOST_TEST(std::fabs(s.cost_usd.value_or(0) - 0.128148 * 0.000972222)
             < 1e-12);
  // Absent fields are absent, not null texts.
  BOOST_TEST(s.metadata.count("source") == 0u);
  BOOST_TEST(s.metadata.count("data_removed") == 0u);
}

BOOST_AUTO_TEST_CASE(the_aborted_body_is_cancelled_and_keeps_its_word) {
  auto s = parse_fixture("aborted.json");
  BOOST_TEST(s.provider_status == "aborted");
  BOOST_TEST(word(s.status) == "cancelled");
  BOOST_TEST(!s.started_at);
  BOOST_TEST(s.completed_at.value_or("") == "2025-06-08T12:11:15.000312Z");
  BOOST_TEST(s.created_at.value_or("") == "2025-06-08T12:06:15Z");
  BOOST_TEST(s.metadata.at("deadline") == R"("2025-06-08T12:11:15Z")");
  BOOST_TEST(!s.cost_usd);
}

BOOST_AUTO_TEST_CASE(the_training_body_gives_the_weights_url) {
  auto s = parse_fixture("training_succeeded.json");
  BOOST_TEST(word(s.status) == "completed");
  BOOST_TEST(s.output_url.value_or("")
             == "https://replicate.delivery/xezq/def456/trained_model.tar");
  BOOST_TEST(s.metadata.at("urls").find("/v1/trainings/") != std::string::npos);
  BOOST_TEST(s.cost_usd.has_value());
}

BOOST_AUTO_TEST_CASE(error_bodies_are_not_jobs) {
  for (auto name : {"error_401.json", "error_404.json", "error_422.json",
                    "error_429.json", "webhook_secret.json", "account.json"}) {
    auto r = parse_job_json(fixture(name), default_pricing(), "replicate");
    BOOST_TEST(!r, name);
  }
}

BOOST_AUTO_TEST_CASE(error_bodies_give_their_detail) {
  using providers::problem_detail;
  BOOST_TEST(problem_detail(fixture("error_401.json"))
             == "You did not pass a valid authentication token");
  BOOST_TEST(problem_detail(fixture("error_404.json"))
             == "The requested resource could not be found.");
  BOOST_TEST(problem_detail(fixture("error_422.json")).find("does not exist")
             != std::string::npos);
  BOOST_TEST(problem_detail(fixture("error_429.json"))
             == "Request was throttled. Your rate limit resets in ~5s.");
}

BOOST_AUTO_TEST_SUITE_END()
