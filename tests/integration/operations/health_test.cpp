// SimpleTuner's health report and its aliases of the probes and of
// /metrics, against the real jobsyncd and a frozen-clock replicate-sim.

#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"

#include <map>
#include <memory>
#include <set>
#include <sstream>

using namespace jobsync::test;

namespace {

constexpr const char* api_token = "op-token";

struct operations_fixture {
  temp_dir dir;
  replicate_sim sim{{"--speed", "0"}};
  std::unique_ptr<jobsyncd> server;

  // jobsyncd with the emulator as Replicate (unless `with_token` is false)
  // and an API token, which the health routes must not ask for.
  void start(std::vector<std::string> extra = {}, bool with_token = true) {
    std::vector<std::string> args{"--set",
                                  "providers.replicate.api_base_url="
                                      + sim.api_base(),
                                  "--set",
                                  std::string{"server.api_token="} + api_token,
                                  "--set",
                                  std::string{"providers.replicate.api_token="}
                                      + (with_token ? "r8_sim_token" : "")};
    args.insert(args.end(), extra.begin(), extra.end());
    server = std::make_unique<jobsyncd>(dir.path(), args);
  }

  http_response get(const std::string& path) {
    return http_get(server->url(path));
  }

  // The report, which must be a 200 or a 503 with the report's shape.
  rapidjson::Document health(const std::string& query = {}) {
    auto r = get("/api/cloud/health" + query);
    BOOST_TEST((r.status == 200 || r.status == 503), r.body);
    BOOST_TEST(r.headers["content-type"] == "application/json; charset=utf-8");
    auto d = json_of(r);
    BOOST_REQUIRE(d.IsObject() && d.HasMember("components"));
    return d;
  }

  // An active job in the store, so that polls ask the provider: found by a
  // discovery of a jobsyncd run without background polling.
  void store_an_active_job() {
    auto seeded = sim.admin("/_admin/jobs", R"({"status":"processing"})");
    BOOST_REQUIRE_MESSAGE(seeded.status == 200, seeded.body);
    start({"--set", "background.job_status_polling.enabled=false"});
    auto r
        = http_request("POST", server->url("/api/cloud/jobs/sync"), {},
                       {{"Authorization", std::string{"Bearer "} + api_token}});
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    BOOST_REQUIRE_EQUAL(server->stop(), 0);
  }

  void fault(const std::string& json) {
    auto r = sim.admin("/_admin/faults", json);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }

  std::string circuit() {
    auto r = http_get(server->url("/api/cloud/polling/status"),
                      {{"Authorization", std::string{"Bearer "} + api_token}});
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r)["providers"][0]["circuit"].GetString();
  }
};

std::string str(const rapidjson::Value& v) {
  return v.IsString() ? v.GetString() : "";
}

// component name -> status
std::map<std::string, std::string> statuses(const rapidjson::Document& d) {
  std::map<std::string, std::string> out;
  for (const auto& c : d["components"].GetArray())
    out[str(c["name"])] = str(c["status"]);
  return out;
}

const rapidjson::Value& component(const rapidjson::Document& d,
                                  const std::string& name) {
  for (const auto& c : d["components"].GetArray())
    if (str(c["name"]) == name)
      return c;
  BOOST_FAIL("no component " << name);
  return d;
}

// The metric families of a Prometheus text (`# TYPE` lines).
std::set<std::string> families(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("# TYPE ", 0) == 0)
      out.insert(line);
  return out;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(operational_aliases, operations_fixture)

BOOST_AUTO_TEST_CASE(a_server_with_a_token_is_healthy_without_asking_for_it) {
  start();
  auto d = health();
  BOOST_TEST(str(d["status"]) == "healthy");
  BOOST_TEST(d["uptime_seconds"].GetDouble() >= 0.0);
  BOOST_TEST(!str(d["timestamp"]).empty());
  BOOST_TEST((statuses(d)
              == std::map<std::string, std::string>{
                  {"database", "healthy"},
                  {"secrets_replicate", "healthy"},
                  {"circuit_breaker_replicate", "healthy"}}));
  BOOST_TEST(component(d, "database")["latency_ms"].IsNumber());
  BOOST_TEST(component(d, "secrets_replicate")["latency_ms"].IsNull());
  // Asking the provider adds its answer, with the account and a latency.
  auto asked = health("?include_replicate=true");
  BOOST_TEST(str(asked["status"]) == "healthy");
  const auto& api = component(asked, "replicate_api");
  BOOST_TEST(str(api["status"]) == "healthy");
  BOOST_TEST(str(api["message"]).find("sim-user") != std::string::npos);
  BOOST_TEST(api["latency_ms"].IsNumber());
  // HEAD too, and no token anywhere.
  auto head = http_request("HEAD", server->url("/api/cloud/health"));
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
  check_error(get("/api/cloud/health?include_replicate=maybe"), 400,
              "bad_request", "include_replicate");
}

BOOST_AUTO_TEST_CASE(a_refused_token_and_an_open_circuit_degrade_the_report) {
  store_an_active_job();
  start({"--set", "providers.replicate.circuit_failure_threshold=1"});
  BOOST_TEST(eventually([&] { return get("/readyz").status == 200; }));
  fault(R"({"endpoint":"account","kind":"status","status":401})");
  auto d = health("?include_replicate=1");
  BOOST_TEST(str(d["status"]) == "degraded");
  BOOST_TEST(str(component(d, "replicate_api")["status"]) == "degraded");
  BOOST_TEST(str(component(d, "replicate_api")["message"]).find("refused")
             != std::string::npos);
  // Every provider request fails: the circuit opens, and a degraded server
  // still answers 200.
  fault(R"({"endpoint":"*","kind":"status","status":503})");
  BOOST_TEST(eventually([&] { return circuit() != "closed"; },
                        std::chrono::seconds(30)));
  BOOST_TEST(eventually([&] {
    auto h = health();
    return str(h["status"]) == "degraded"
           && statuses(h)["circuit_breaker_replicate"] == "degraded";
  }));
  BOOST_TEST(get("/api/cloud/health").status == 200);
}

BOOST_AUTO_TEST_CASE(
    a_provider_without_a_token_is_degraded_and_says_which_key) {
  start({}, false);
  auto d = health("?include_replicate=true");
  BOOST_TEST(str(d["status"]) == "degraded");
  BOOST_TEST((statuses(d)
              == std::map<std::string, std::string>{
                  {"database", "healthy"}, {"secrets_replicate", "degraded"}}));
  BOOST_TEST(str(component(d, "secrets_replicate")["message"])
                 .find("providers.replicate.api_token")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_probes_and_the_metrics_have_simpletuners_paths_too) {
  start();
  auto live = get("/api/cloud/health/live");
  BOOST_TEST(live.status == 200);
  BOOST_TEST(live.body == R"({"status":"ok"})");
  BOOST_TEST(eventually([&] { return get("/readyz").status == 200; }));
  auto ready = get("/api/cloud/health/ready");
  BOOST_TEST(ready.status == 200);
  BOOST_TEST(ready.body == R"({"status":"ready"})");
  auto metrics = get("/metrics");
  auto alias = get("/api/cloud/metrics/prometheus");
  BOOST_TEST(alias.status == 200);
  BOOST_TEST(alias.headers["content-type"] == metrics.headers["content-type"]);
  BOOST_TEST(alias.headers["content-type"].find("version=0.0.4")
             != std::string::npos);
  BOOST_TEST(families(alias.body) == families(metrics.body));
  BOOST_TEST(families(alias.body).size() > 20u);
  BOOST_TEST(alias.body.find("jobsync_poller_enabled{provider=\"replicate\"} 1")
             != std::string::npos);
  for (auto path : {"/api/cloud/health/live", "/api/cloud/health/ready",
                    "/api/cloud/metrics/prometheus"}) {
    auto head = http_request("HEAD", server->url(path));
    BOOST_TEST(head.status == 200, path);
    BOOST_TEST(head.body.empty(), path);
  }
}

BOOST_AUTO_TEST_CASE(a_server_that_is_not_ready_says_so_on_both_paths) {
  // Every provider request fails, and a cycle may retry for its whole
  // (long) interval: the first poll cannot end while the fault stays.
  store_an_active_job();
  fault(R"({"endpoint":"*","kind":"status","status":503})");
  start({"--set", "background.job_status_polling.interval_seconds=600"});
  for (auto path : {"/readyz", "/api/cloud/health/ready"})
    check_error(get(path), 503, "unavailable", "Not ready");
}

BOOST_AUTO_TEST_SUITE_END()
