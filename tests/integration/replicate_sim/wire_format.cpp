// The prediction and training objects, field by field
// (tools/replicate-sim/README.md, §3, §8).

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include "model/timestamp.hpp"

#include <boost/test/unit_test.hpp>

#include <set>

using namespace jobsync;
using namespace jobsync::test;

namespace {

bool is_job_id(const std::string& id) {
  if (id.size() != 26)
    return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

bool is_hex64(const std::string& s) {
  return s.size() == 64
         && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The fields every prediction carries, whatever its status.
void check_common_fields(const rapidjson::Value& j, const std::string& base) {
  BOOST_TEST_CONTEXT("job " << text_of(j, "id")) {
    BOOST_TEST(is_job_id(str(j, "id")));
    BOOST_TEST(type_of(j, "model") == "string");
    BOOST_TEST(is_hex64(str(j, "version")));
    BOOST_TEST(type_of(j, "input") == "object");
    BOOST_TEST(type_of(j, "error") != "missing");
    BOOST_TEST(type_of(j, "output") != "missing");
    BOOST_TEST(type_of(j, "logs") != "missing");
    BOOST_TEST(type_of(j, "status") == "string");
    BOOST_TEST(type_of(j, "data_removed") == "bool");
    BOOST_TEST(type_of(j, "source") == "string");
    BOOST_TEST(type_of(j, "metrics") == "object");
    BOOST_TEST(parse_rfc3339(str(j, "created_at")).has_value());
    BOOST_REQUIRE(type_of(j, "urls") == "object");
    auto& urls = j["urls"];
    auto id = str(j, "id");
    BOOST_TEST(str(urls, "get") == base + "/predictions/" + id);
    BOOST_TEST(str(urls, "cancel") == base + "/predictions/" + id + "/cancel");
    BOOST_TEST(str(urls, "web") == "https://replicate.com/p/" + id);
  }
}

} // namespace

BOOST_AUTO_TEST_SUITE(wire_format)

BOOST_AUTO_TEST_CASE(a_created_prediction_has_every_create_response_field) {
  sim_process sim;
  auto r = sim.api("POST", "/predictions",
                   R"({"version":"simpletuner/advanced-trainer-h100",)"
                   R"("input":{"config_json":"{}","n":3}})");
  BOOST_REQUIRE(r.status == 201);
  BOOST_TEST(r.headers["content-type"] == "application/json");
  BOOST_TEST(r.headers.count("ratelimit-remaining") == 1u);
  BOOST_TEST(r.headers.count("ratelimit-reset") == 1u);
  auto j = parse_json(r.body);
  check_common_fields(j, sim.base());
  BOOST_TEST(str(j, "status") == "starting");
  BOOST_TEST(str(j, "logs") == "");
  BOOST_TEST(type_of(j, "logs") == "string");
  BOOST_TEST(type_of(j, "output") == "null");
  BOOST_TEST(type_of(j, "error") == "null");
  BOOST_TEST(type_of(j, "started_at") == "null");
  BOOST_TEST(type_of(j, "completed_at") == "null");
  BOOST_TEST(j["data_removed"].GetBool() == false);
  BOOST_TEST(str(j, "source") == "api");
  BOOST_TEST(str(j, "model") == "simpletuner/advanced-trainer-h100");
  BOOST_TEST(text_of(j, "input") == R"({"config_json":"{}","n":3})");
  BOOST_TEST(j["metrics"].ObjectEmpty());
  BOOST_TEST(type_of(j, "deadline") == "missing");
  BOOST_TEST(type_of(j, "webhook") == "missing");
  // The GET of the same job agrees with the create response.
  auto g = sim.api("GET", "/predictions/" + str(j, "id"));
  BOOST_REQUIRE(g.status == 200);
  BOOST_TEST(g.body == r.body);
}

BOOST_AUTO_TEST_CASE(every_status_renders_the_fields_it_requires) {
  sim_process sim;
  for (auto status : {"starting", "processing", "succeeded", "failed",
                      "canceled", "aborted"}) {
    auto ids = sim.create_jobs(std::string{R"({"count":6,"status":")"} + status
                               + R"(","starting_seconds":4,)"
                                 R"("processing_seconds":30})");
    for (auto& id : ids) {
      auto r = sim.api("GET", "/predictions/" + id);
      BOOST_REQUIRE(r.status == 200);
      auto j = parse_json(r.body);
      check_common_fields(j, sim.base());
      BOOST_TEST_CONTEXT("status " << status << ", job " << id) {
        BOOST_TEST(str(j, "status") == status);
        std::string s = status;
        bool started = s != "starting" && s != "aborted";
        bool terminal = s != "starting" && s != "processing";
        BOOST_TEST(type_of(j, "started_at") == (started ? "string" : "null"));
        BOOST_TEST(type_of(j, "completed_at")
                   == (terminal ? "string" : "null"));
        if (started)
          BOOST_TEST(parse_rfc3339(str(j, "started_at")).has_value());
        if (terminal) {
          BOOST_TEST(parse_rfc3339(str(j, "completed_at")).has_value());
          BOOST_TEST(type_of(j["metrics"], "total_time") == "number");
        } else {
          BOOST_TEST(j["metrics"].ObjectEmpty());
        }
        if (started && terminal)
          BOOST_TEST(type_of(j["metrics"], "predict_time") == "number");
        if (s == "succeeded") {
          BOOST_TEST(str(j, "output").rfind("https://replicate.delivery/", 0)
                     == 0u);
        } else {
          BOOST_TEST(type_of(j, "output") == "null");
        }
        BOOST_TEST(type_of(j, "error") == (s == "failed" ? "string" : "null"));
        if (s == "canceled")
          BOOST_TEST(
              (type_of(j, "logs") == "string" || type_of(j, "logs") == "null"));
        else
          BOOST_TEST(type_of(j, "logs") == "string");
        if (s == "starting" || s == "aborted")
          BOOST_TEST(str(j, "logs") == "");
        if (s == "aborted")
          BOOST_TEST(type_of(j, "deadline") == "string");
        auto created = parse_rfc3339(str(j, "created_at"));
        auto began = parse_rfc3339(str(j, "started_at"));
        auto ended = parse_rfc3339(str(j, "completed_at"));
        if (began)
          BOOST_TEST(*created <= *began);
        if (began && ended)
          BOOST_TEST(*began <= *ended);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(some_canceled_jobs_have_null_logs_as_on_replicate) {
  sim_process sim;
  auto ids = sim.create_jobs(R"({"count":30,"status":"canceled"})");
  int nulls = 0;
  for (auto& id : ids)
    nulls += type_of(sim.job(id), "logs") == "null";
  BOOST_TEST(nulls > 0);
  BOOST_TEST(nulls < 30);
}

BOOST_AUTO_TEST_CASE(timestamps_come_with_varying_fractional_precision) {
  sim_process sim;
  auto ids = sim.create_jobs(R"({"count":60,"status":"succeeded",)"
                             R"("created_spread_seconds":3600})");
  std::set<int> digits;
  for (auto& id : ids) {
    auto j = sim.job(id);
    for (auto field : {"created_at", "started_at", "completed_at"}) {
      auto t = str(j, field);
      BOOST_TEST(t.back() == 'Z');
      BOOST_TEST(parse_rfc3339(t).has_value());
      digits.insert(fraction_digits(t));
    }
  }
  BOOST_TEST((digits == std::set<int>{0, 3, 6, 8, 9}));
}

BOOST_AUTO_TEST_CASE(trainings_have_their_own_shape_and_url_quirk) {
  sim_process sim;
  auto models = parse_json(sim.admin("GET", "/models").body);
  std::string version;
  for (auto& m : models["models"].GetArray())
    if (str(m, "name") == "ostris/flux-dev-lora-trainer")
      version = str(m, "version");
  BOOST_REQUIRE(is_hex64(version));
  auto r = sim.api("POST",
                   "/models/ostris/flux-dev-lora-trainer/versions/" + version
                       + "/trainings",
                   R"({"destination":"sim-user/my-lora","input":{"steps":5}})");
  BOOST_REQUIRE(r.status == 201);
  auto created = parse_json(r.body);
  auto id = str(created, "id");
  BOOST_TEST(is_job_id(id));
  BOOST_TEST(str(created, "status") == "starting");
  BOOST_TEST(str(created, "version") == version);
  BOOST_TEST(type_of(created, "data_removed") == "missing");
  // The create response links to /v1/predictions, later GETs to
  // /v1/trainings (as recorded from the real API).
  BOOST_TEST(str(created["urls"], "get") == sim.base() + "/predictions/" + id);
  BOOST_TEST(sim.api("GET", "/predictions/" + id).status == 200);
  BOOST_REQUIRE(sim.advance(id, "succeeded") == 200);
  auto g = sim.api("GET", "/trainings/" + id);
  BOOST_REQUIRE(g.status == 200);
  auto j = parse_json(g.body);
  BOOST_TEST(str(j["urls"], "get") == sim.base() + "/trainings/" + id);
  BOOST_TEST(str(j["urls"], "cancel")
             == sim.base() + "/trainings/" + id + "/cancel");
  BOOST_REQUIRE(type_of(j, "output") == "object");
  BOOST_TEST(is_hex64(str(j["output"], "version")));
  BOOST_TEST(str(j["output"], "weights").rfind("https://replicate.delivery/", 0)
             == 0u);
  // Trainings are listed under /v1/trainings only.
  auto list = parse_json(sim.api("GET", "/trainings").body);
  BOOST_REQUIRE(list["results"].Size() == 1u);
  BOOST_TEST(str(list["results"][0], "id") == id);
  BOOST_TEST(parse_json(sim.api("GET", "/predictions").body)["results"].Size()
             == 0u);
  BOOST_TEST(sim.api("GET", "/trainings/nope").status == 404);
}

BOOST_AUTO_TEST_CASE(the_same_seed_yields_the_same_ids_and_timestamps) {
  // The list body without the port, which differs between runs.
  auto listing = [](const sim_process& sim) {
    auto body = sim.api("GET", "/predictions").body;
    for (auto at = body.find(sim.root()); at != std::string::npos;
         at = body.find(sim.root()))
      body.replace(at, sim.root().size(), "ROOT");
    return body;
  };
  std::string bodies[2];
  for (auto& out : bodies) {
    sim_process sim;
    sim.create_prediction();
    sim.create_jobs(R"({"count":5,"status":"succeeded"})");
    out = listing(sim);
  }
  BOOST_TEST(bodies[0] == bodies[1]);
  sim_process other{{"--seed", "8"}};
  other.create_prediction();
  other.create_jobs(R"({"count":5,"status":"succeeded"})");
  BOOST_TEST(listing(other) != bodies[0]);
}

BOOST_AUTO_TEST_CASE(account_secret_and_hardware_have_replicates_shapes) {
  sim_process sim;
  auto account = parse_json(sim.api("GET", "/account").body);
  BOOST_TEST(str(account, "type") == "user");
  BOOST_TEST(str(account, "username") == "sim-user");
  auto secret = parse_json(sim.api("GET", "/webhooks/default/secret").body);
  BOOST_TEST(str(secret, "key").rfind("whsec_", 0) == 0u);
  auto hw = parse_json(sim.api("GET", "/hardware").body);
  BOOST_REQUIRE(hw.IsArray());
  bool has_h100 = false;
  for (auto& h : hw.GetArray()) {
    BOOST_TEST(type_of(h, "sku") == "string");
    BOOST_TEST(type_of(h, "name") == "string");
    has_h100 = has_h100 || str(h, "sku") == "gpu-h100";
  }
  BOOST_TEST(has_h100);
}

BOOST_AUTO_TEST_SUITE_END()
