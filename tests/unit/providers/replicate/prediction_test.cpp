#include "providers/replicate/prediction.hpp"

#include "providers/replicate/pricing.hpp"
#include "providers/replicate/status.hpp"
#include "tests/unit/providers/replicate/fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

using namespace jobsync;
using namespace jobsync::providers::replicate;

namespace {

const providers::hardware_pricing pricing = [] {
  auto p = test::default_pricing();
  p.model_hardware["acme/h100-trainer"] = "gpu-h100";
  p.model_hardware["acme/odd-trainer"] = "gpu-mystery";
  return p;
}();

// A minimal valid prediction with `extra` members spliced in.
std::string body(const std::string& extra = {},
                 const std::string& status = "\"processing\"") {
  std::string text = R"({"id":"abc123","status":)" + status;
  if (!extra.empty())
    text += "," + extra;
  return text + "}";
}

provider_snapshot parse(const std::string& text) {
  auto r = parse_job_json(text, pricing, "replicate");
  BOOST_REQUIRE_MESSAGE(r, "refused: " << (r ? "" : r.error().detail) << " for "
                                       << text);
  return *r;
}

std::string refusal(const std::string& text) {
  auto r = parse_job_json(text, pricing, "replicate");
  BOOST_REQUIRE_MESSAGE(!r, "accepted " << text);
  BOOST_TEST(!r.error().detail.empty());
  return r.error().detail;
}

bool near(double a, double b) {
  return std::fabs(a - b) < 1e-9 * std::max(1.0, std::fabs(b));
}

} // namespace

BOOST_AUTO_TEST_SUITE(replicate_prediction)

BOOST_AUTO_TEST_CASE(every_replicate_status_word_maps_to_a_job_status) {
  struct row {
    const char* word;
    job_status status;
  };
  for (auto [word, status] : {row{"starting", job_status::queued},
                              row{"processing", job_status::running},
                              row{"succeeded", job_status::completed},
                              row{"failed", job_status::failed},
                              row{"canceled", job_status::cancelled},
                              row{"aborted", job_status::cancelled}}) {
    auto s = parse(body({}, std::string{"\""} + word + "\""));
    BOOST_TEST(s.provider_status == word);
    BOOST_REQUIRE(s.status.has_value());
    BOOST_TEST(to_string(*s.status) == to_string(status));
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_status_word_is_kept_verbatim_without_status) {
  auto s = parse(body({}, R"("Queued_For_GPU")"));
  BOOST_TEST(s.provider_status == "Queued_For_GPU");
  BOOST_TEST(!s.status.has_value());
}

BOOST_AUTO_TEST_CASE(identity_and_provider_name_are_copied) {
  auto r = parse_job_json(body(), pricing, "replicate-eu");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->external_id == "abc123");
  BOOST_TEST(r->provider == "replicate-eu");
}

BOOST_AUTO_TEST_CASE(timestamps_with_zero_to_nine_fraction_digits_are_kept) {
  std::string fraction;
  for (int digits = 0; digits <= 9; ++digits) {
    auto ts = "2025-06-08T12:06:15" + (digits ? "." + fraction : "") + "Z";
    auto s = parse(body(R"("created_at":")" + ts + R"(","started_at":")" + ts
                        + R"(","completed_at":")" + ts + "\""));
    BOOST_TEST(s.created_at.value_or("") == ts);
    BOOST_TEST(s.started_at.value_or("") == ts);
    BOOST_TEST(s.completed_at.value_or("") == ts);
    fraction += std::to_string((digits + 1) % 10);
  }
}

BOOST_AUTO_TEST_CASE(unparsable_or_null_timestamps_are_absent) {
  auto s = parse(body(R"("created_at":"2025-06-08T12:06:15.1234567891Z",)"
                      R"("started_at":null,"completed_at":"yesterday")"));
  BOOST_TEST(!s.created_at.has_value());
  BOOST_TEST(!s.started_at.has_value());
  BOOST_TEST(!s.completed_at.has_value());
  auto t = parse(body(R"("created_at":1749384375)"));
  BOOST_TEST(!t.created_at.has_value());
}

BOOST_AUTO_TEST_CASE(logs_are_kept_as_text_and_null_logs_are_absent) {
  BOOST_TEST(parse(body(R"("logs":"step 1/10\nstep 2/10\n")")).logs.value()
             == "step 1/10\nstep 2/10\n");
  BOOST_TEST(parse(body(R"("logs":"")")).logs.value() == "");
  BOOST_TEST(!parse(body(R"("logs":null)")).logs.has_value());
  BOOST_TEST(!parse(body()).logs.has_value());
  BOOST_TEST(!parse(body(R"("logs":42)")).logs.has_value());
}

BOOST_AUTO_TEST_CASE(error_strings_are_kept_and_other_errors_serialized) {
  BOOST_TEST(
      parse(body(R"("error":"CUDA out of memory")")).error_message.value_or("")
      == "CUDA out of memory");
  BOOST_TEST(parse(body(R"("error":{"code":7,"msg":"boom"})"))
                 .error_message.value_or("")
             == R"({"code":7,"msg":"boom"})");
  BOOST_TEST(!parse(body(R"("error":null)")).error_message.has_value());
}

BOOST_AUTO_TEST_CASE(a_url_string_output_is_the_output_url) {
  auto s = parse(body(R"("output":"https://replicate.delivery/a/lora.tar")"));
  BOOST_TEST(s.output_url.value_or("")
             == "https://replicate.delivery/a/lora.tar");
  auto h = parse(body(R"("output":"http://example.test/x")"));
  BOOST_TEST(h.output_url.value_or("") == "http://example.test/x");
}

BOOST_AUTO_TEST_CASE(a_text_output_is_not_a_url) {
  BOOST_TEST(!parse(body(R"("output":"a cat on a mat")")).output_url);
  BOOST_TEST(!parse(body(R"("output":"https://")")).output_url);
  BOOST_TEST(!parse(body(R"("output":"ftp://x.test/f")")).output_url);
  BOOST_TEST(!parse(body(R"("output":null)")).output_url);
  BOOST_TEST(!parse(body(R"("output":12.5)")).output_url);
}

BOOST_AUTO_TEST_CASE(a_list_output_gives_its_first_http_url) {
  auto s = parse(body(R"("output":["token",null,{"a":1},)"
                      R"("https://replicate.delivery/1.png",)"
                      R"("https://replicate.delivery/2.png"])"));
  BOOST_TEST(s.output_url.value_or("") == "https://replicate.delivery/1.png");
  BOOST_TEST(!parse(body(R"("output":["a","b"])")).output_url);
  BOOST_TEST(!parse(body(R"("output":[])")).output_url);
}

BOOST_AUTO_TEST_CASE(an_object_output_gives_its_weights_or_url) {
  auto w = parse(body(R"("output":{"version":"abc",)"
                      R"("weights":"https://replicate.delivery/w.tar",)"
                      R"("url":"https://replicate.delivery/u"})"));
  BOOST_TEST(w.output_url.value_or("") == "https://replicate.delivery/w.tar");
  auto u = parse(body(R"("output":{"url":"https://replicate.delivery/u"})"));
  BOOST_TEST(u.output_url.value_or("") == "https://replicate.delivery/u");
  auto bad = parse(body(R"("output":{"weights":"local.tar","url":7})"));
  BOOST_TEST(!bad.output_url);
  BOOST_TEST(!parse(body(R"("output":{"version":"abc"})")).output_url);
}

BOOST_AUTO_TEST_CASE(cost_uses_the_default_hardware_price) {
  auto s = parse(body(R"("model":"acme/trainer",)"
                      R"("metrics":{"predict_time":100,"total_time":120})"));
  BOOST_REQUIRE(s.cost_usd);
  BOOST_TEST(near(*s.cost_usd, 100 * 0.000972222));
  BOOST_TEST(s.hardware_type.value_or("") == "L40S (48GB)");
}

BOOST_AUTO_TEST_CASE(cost_uses_the_hardware_configured_for_the_model) {
  auto s = parse(body(R"("model":"acme/h100-trainer",)"
                      R"("metrics":{"predict_time":1799.883588})"));
  BOOST_REQUIRE(s.cost_usd);
  BOOST_TEST(near(*s.cost_usd, 1799.883588 * 0.001525));
  BOOST_TEST(s.hardware_type.value_or("") == "H100 (80GB)");
}

// SimpleTuner's trainers say their hardware in their names; a job of one
// is labelled and priced for that hardware, not for the default.
BOOST_AUTO_TEST_CASE(the_model_name_says_the_hardware) {
  struct row {
    const char* model;
    const char* label;
    double per_second;
  };
  for (auto [model, label, per_second] :
       {row{"simpletuner/advanced-trainer-h100", "H100 (80GB)", 0.001525},
        row{"simpletuner/advanced-trainer-h100-x2", "2x H100 (160GB)", 0.00305},
        row{"simpletuner/advanced-trainer-h100-x4", "4x H100 (320GB)", 0.0061},
        row{"simpletuner/advanced-trainer-h100-x8", "8x H100 (640GB)", 0.0122},
        row{"simpletuner/advanced-trainer-l40s", "L40S (48GB)", 0.000972222},
        row{"simpletuner/advanced-trainer-l40s-x2", "2x L40S (96GB)",
            0.001944444},
        row{"simpletuner/advanced-trainer-l40s-x4", "4x L40S (192GB)",
            0.003888889},
        row{"simpletuner/advanced-trainer-l40s-x8", "8x L40S (384GB)",
            0.007777778}}) {
    auto s = parse(body(std::string{R"("model":")"} + model
                        + R"(","metrics":{"predict_time":1000})"));
    BOOST_TEST(s.hardware_type.value_or("") == label, model);
    BOOST_TEST(near(s.cost_usd.value_or(0), 1000 * per_second), model);
  }
}

BOOST_AUTO_TEST_CASE(model_hardware_wins_over_the_name_and_unpriced_names) {
  auto p = pricing;
  p.model_hardware["simpletuner/advanced-trainer-h100"] = "gpu-l40s";
  auto configured = parse_job_json(
      body(R"("model":"simpletuner/advanced-trainer-h100")"), p, "replicate");
  BOOST_REQUIRE(configured);
  BOOST_TEST(configured->hardware_type.value_or("") == "L40S (48GB)");
  // A count the table has no price for, or no GPU in the name: the default.
  for (auto model : {"acme/trainer-h100-x16", "acme/trainer-x2",
                     "acme/h100-trainer-v2", "acme/trainer-l40s-x0"}) {
    auto s = parse(body(std::string{R"("model":")"} + model + R"(")"));
    BOOST_TEST(s.hardware_type.value_or("") == "L40S (48GB)", model);
  }
}

BOOST_AUTO_TEST_CASE(sku_names_follow_replicates_naming) {
  BOOST_TEST(sku_in_model_name("x/y-l40s").value_or("") == "gpu-l40s");
  BOOST_TEST(sku_in_model_name("x/y-l40s-x8").value_or("") == "gpu-8x-l40s");
  BOOST_TEST(sku_in_model_name("x/y-h100").value_or("") == "gpu-h100");
  BOOST_TEST(sku_in_model_name("x/y-h100-x2").value_or("") == "gpu-h100-2x");
  BOOST_TEST(!sku_in_model_name("x/y"));
  BOOST_TEST(!sku_in_model_name("x/y-l40s-x"));
  BOOST_TEST(!sku_in_model_name("x/y-a40-x2"));
}

BOOST_AUTO_TEST_CASE(cost_reads_numbers_in_exponent_form) {
  auto s = parse(body(R"("metrics":{"predict_time":3e-06})"));
  BOOST_REQUIRE(s.cost_usd);
  BOOST_TEST(near(*s.cost_usd, 3e-06 * 0.000972222));
  auto big = parse(body(R"("metrics":{"predict_time":1.5E+3})"));
  BOOST_TEST(near(big.cost_usd.value_or(0), 1500 * 0.000972222));
}

BOOST_AUTO_TEST_CASE(no_predict_time_means_no_cost) {
  for (auto extra : {std::string{}, std::string{R"("metrics":{})"},
                     std::string{R"("metrics":null)"},
                     std::string{R"("metrics":{"predict_time":null})"},
                     std::string{R"("metrics":{"predict_time":"12"})"},
                     std::string{R"("metrics":{"predict_time":-1})"},
                     std::string{R"("metrics":{"total_time":5})"}}) {
    auto s = parse(body(extra));
    BOOST_TEST(!s.cost_usd.has_value(), extra);
    // The hardware is still the assumed one.
    BOOST_TEST(s.hardware_type.value_or("") == "L40S (48GB)");
  }
}

BOOST_AUTO_TEST_CASE(a_run_time_whose_cost_overflows_has_no_cost) {
  auto dear = pricing;
  dear.prices["gpu-l40s"] = 10.0;
  BOOST_TEST(!price("gpu-l40s", 1e308, dear).cost_usd.has_value());
  // Huge but finite, it is kept as it is.
  auto s = parse(body(R"("metrics":{"predict_time":1e306})"));
  BOOST_REQUIRE(s.cost_usd);
  BOOST_TEST(std::isfinite(*s.cost_usd));
}

BOOST_AUTO_TEST_CASE(hardware_without_a_price_has_its_sku_and_no_cost) {
  auto s = parse(body(R"("model":"acme/odd-trainer",)"
                      R"("metrics":{"predict_time":10})"));
  BOOST_TEST(!s.cost_usd.has_value());
  BOOST_TEST(s.hardware_type.value_or("") == "gpu-mystery");
}

BOOST_AUTO_TEST_CASE(metadata_keeps_non_null_values_as_raw_json) {
  auto s = parse(body(
      R"("model":"acme/trainer","version":"5c7d","source":"api",)"
      R"("urls":{"get":"https://api.replicate.com/v1/predictions/abc123"},)"
      R"("webhook":"https://hooks.test/r","deadline":"2025-06-08T13:00:00Z",)"
      R"("data_removed":false,"input":{"secret":"x"},"deployment":null)"));
  auto& m = s.metadata;
  BOOST_TEST(m.at("prediction_id") == R"("abc123")");
  BOOST_TEST(m.at("model") == R"("acme/trainer")");
  BOOST_TEST(m.at("version") == R"("5c7d")");
  BOOST_TEST(m.at("source") == R"("api")");
  BOOST_TEST(m.at("urls")
             == R"({"get":"https://api.replicate.com/v1/predictions/abc123"})");
  BOOST_TEST(m.at("webhook_url") == R"("https://hooks.test/r")");
  BOOST_TEST(m.at("deadline") == R"("2025-06-08T13:00:00Z")");
  BOOST_TEST(m.at("data_removed") == "false");
  BOOST_TEST(m.count("input") == 0u);
  BOOST_TEST(m.count("webhook") == 0u);
  BOOST_TEST(m.size() == 8u);
}

BOOST_AUTO_TEST_CASE(null_metadata_values_are_left_out) {
  auto s = parse(body(R"("model":null,"version":null,"urls":null,)"
                      R"("source":null,"webhook":null,"deadline":null,)"
                      R"("data_removed":null)"));
  BOOST_TEST(s.metadata.size() == 1u);
  BOOST_TEST(s.metadata.count("prediction_id") == 1u);
}

BOOST_AUTO_TEST_CASE(bodies_that_are_not_job_objects_are_refused) {
  BOOST_TEST(refusal("[]").find("not a JSON object") != std::string::npos);
  BOOST_TEST(refusal(R"("abc")").find("not a JSON object")
             != std::string::npos);
  BOOST_TEST(refusal("null").find("not a JSON object") != std::string::npos);
  BOOST_TEST(refusal(R"({"status":"starting"})").find("no `id`")
             != std::string::npos);
  BOOST_TEST(
      refusal(R"({"id":42,"status":"starting"})").find("`id` is not a string")
      != std::string::npos);
  BOOST_TEST(
      refusal(R"({"id":null,"status":"starting"})").find("`id` is not a string")
      != std::string::npos);
  BOOST_TEST(refusal(R"({"id":"","status":"starting"})").find("empty")
             != std::string::npos);
  BOOST_TEST(refusal(R"({"id":"abc"})").find("no `status`")
             != std::string::npos);
  BOOST_TEST(
      refusal(R"({"id":"abc","status":3})").find("`status` is not a string")
      != std::string::npos);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_is_refused_with_the_reason) {
  BOOST_TEST(refusal("{\"id\":").find("not JSON") != std::string::npos);
  BOOST_TEST(refusal("").find("not JSON") != std::string::npos);
  BOOST_TEST(refusal("<html>502</html>").find("not JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(optional_fields_of_the_wrong_type_are_ignored) {
  auto s = parse(body(R"("created_at":5,"logs":[],"metrics":"fast",)"
                      R"("output":true,"model":7)"));
  BOOST_TEST(!s.created_at);
  BOOST_TEST(!s.logs);
  BOOST_TEST(!s.cost_usd);
  BOOST_TEST(!s.output_url);
  BOOST_TEST(s.metadata.at("model") == "7");
}

// The rule merge_test held before the parser took it over: an aborted job
// is cancelled with a message saying so, unless Replicate sent its own.
BOOST_AUTO_TEST_CASE(aborted_is_cancelled_with_a_message) {
  auto s = parse(body({}, "\"aborted\""));
  BOOST_TEST((s.status == job_status::cancelled));
  BOOST_TEST(s.provider_status == "aborted");
  BOOST_TEST(s.error_message.value_or("") == std::string{aborted_message});
  auto own = parse(body(R"("error":"deadline exceeded")", "\"aborted\""));
  BOOST_TEST(own.error_message.value_or("") == "deadline exceeded");
}

BOOST_AUTO_TEST_SUITE_END()
