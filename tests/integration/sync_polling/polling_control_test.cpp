// Background polling turned off, on and back to the configured rule at
// runtime (PUT /api/cloud/polling/setting), as the status and the
// emulator's request counters show it, across restarts.

#include "tests/integration/sync_polling/provider_fixture.hpp"

#include <chrono>
#include <thread>

using namespace jobsync::test;
using namespace std::chrono_literals;

namespace {

struct control_fixture : provider_fixture {
  /// Polling by the automatic rule (no webhook_url: on), every second.
  void start_auto(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(),
                 {"--set", "background.job_status_polling.enabled=auto"});
    start(extra);
  }

  rapidjson::Document status() {
    auto r = api("GET", "/api/cloud/polling/status");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r);
  }

  rapidjson::Document put(const std::string& body, int expected = 200) {
    auto r = api("PUT", "/api/cloud/polling/setting", body);
    BOOST_REQUIRE_MESSAGE(r.status == expected, r.status << " " << r.body);
    return json_of(r);
  }

  uint64_t cycles() {
    return status()["providers"][0]["cycles"].GetUint64();
  }

  /// Waits until no cycle runs (one in flight when polling stopped ends).
  void await_idle() {
    BOOST_REQUIRE(eventually(
        [&] { return !status()["providers"][0]["cycle_running"].GetBool(); }));
  }

  /// Three poll intervals pass with no provider request: nothing polls.
  /// (An absence can only be seen by letting the time pass; with polling on
  /// there would be about three list requests.)
  void expect_no_polling() {
    reset_stats();
    auto before = cycles();
    std::this_thread::sleep_for(3s);
    BOOST_TEST(sim_requests("list") == 0u);
    BOOST_TEST(sim_requests("get") == 0u);
    BOOST_TEST(cycles() == before);
  }

  /// Cycles run again (at least two more), with list requests to the
  /// emulator.
  void expect_polling() {
    reset_stats();
    auto before = cycles();
    BOOST_TEST(eventually([&] { return cycles() >= before + 2; }));
    BOOST_TEST(sim_requests("list") >= 1u);
  }
};

bool is_null(const rapidjson::Value& v) {
  return v.IsNull();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(polling_control, control_fixture)

BOOST_AUTO_TEST_CASE(off_on_and_back_to_auto_show_in_the_status_and_stats) {
  seed(R"({"status":"processing"})");
  start_auto();
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 1u);
  auto s = status();
  BOOST_TEST(s["is_active"].GetBool());
  BOOST_TEST(is_null(s["preference"]));
  BOOST_TEST(s["providers"][0]["is_active"].GetBool());
  BOOST_TEST(is_null(s["providers"][0]["preference"]));
  expect_polling();

  // Off.
  auto off = put(R"({"enabled": false})");
  BOOST_TEST(off["success"].GetBool());
  BOOST_TEST(!off["enabled"].GetBool());
  BOOST_TEST(!off["is_active"].GetBool());
  s = status();
  BOOST_TEST(!s["is_active"].GetBool());
  BOOST_TEST(!s["preference"].GetBool());
  auto p = s["providers"][0].GetObject();
  BOOST_TEST(!p["is_active"].GetBool());
  BOOST_TEST(!p["enabled"].GetBool());
  BOOST_TEST(!p["preference"].GetBool());
  BOOST_TEST(str(p["reason"]).find("runtime") != std::string::npos);
  await_idle();
  expect_no_polling();

  // On, for the provider by name, at a new interval: a cycle runs now.
  reset_stats();
  auto on = put(
      R"({"enabled": true, "provider": "replicate", "interval_seconds": 2})");
  BOOST_TEST(on["enabled"].GetBool());
  BOOST_TEST(on["is_active"].GetBool());
  BOOST_TEST(eventually([&] { return sim_requests("list") >= 1u; }));
  s = status();
  BOOST_TEST(s["is_active"].GetBool());
  BOOST_TEST(s["providers"][0]["preference"].GetBool());
  BOOST_TEST(s["providers"][0]["interval_seconds"].GetInt() == 2);

  // Back to the automatic rule (for every provider): polling, at the
  // interval set for the provider (the setting named none).
  auto back = put(R"({"enabled": null})");
  BOOST_TEST(is_null(back["enabled"]));
  BOOST_TEST(back["is_active"].GetBool());
  s = status();
  BOOST_TEST(is_null(s["preference"]));
  BOOST_TEST(is_null(s["providers"][0]["preference"]));
  BOOST_TEST(str(s["providers"][0]["reason"]).rfind("auto:", 0) == 0);
  expect_polling();
}

BOOST_AUTO_TEST_CASE(the_setting_survives_a_restart_on_the_same_data_folder) {
  seed(R"({"status":"processing"})");
  start_auto();
  BOOST_TEST(json_of(api("POST", "/api/cloud/jobs/sync"))["synced"].GetUint64()
             == 1u);
  put(R"({"enabled": false, "interval_seconds": 5})");
  server.reset();
  start_auto();
  auto s = status();
  BOOST_TEST(!s["is_active"].GetBool());
  BOOST_TEST(!s["preference"].GetBool());
  BOOST_TEST(!s["providers"][0]["enabled"].GetBool());
  BOOST_TEST(s["providers"][0]["interval_seconds"].GetInt() == 5);
  expect_no_polling();
  put(R"({"enabled": null})");
  server.reset();
  start_auto();
  s = status();
  BOOST_TEST(s["is_active"].GetBool());
  BOOST_TEST(is_null(s["preference"]));
  // The stored interval stays until a setting changes it.
  BOOST_TEST(s["providers"][0]["interval_seconds"].GetInt() == 5);
  reset_stats();
  BOOST_TEST(eventually([&] { return sim_requests("list") >= 1u; }));
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused_naming_the_field) {
  start_auto({"--set", "server.api_token=secret-token"});
  auto url = server->url("/api/cloud/polling/setting");
  std::map<std::string, std::string> auth{
      {"Authorization", "Bearer secret-token"}};
  // Behind the API token like the other /api/cloud routes.
  BOOST_TEST(http_request("PUT", url, R"({"enabled": false})").status == 401);
  struct refusal {
    const char* body;
    int status;
    const char* named;
  };
  for (auto r : std::initializer_list<refusal>{
           {"not json", 400, "not JSON"},
           {"[true]", 400, "object"},
           {"{}", 400, "enabled"},
           {R"({"enabled": "no"})", 400, "enabled"},
           {R"({"enabled": false, "provider": 5})", 400, "provider"},
           {R"({"enabled": false, "interval_seconds": 0})", 400,
            "interval_seconds"},
           {R"({"enabled": false, "interval_seconds": 86401})", 400,
            "interval_seconds"},
           {R"({"enabled": false, "interval_seconds": 1.5})", 400,
            "interval_seconds"},
           {R"({"enabled": false, "every": 3})", 400, "every"},
           {R"({"enabled": false, "provider": "nope"})", 404, "provider"},
       }) {
    auto res = http_request("PUT", url, r.body, auth);
    BOOST_TEST(res.status == r.status, r.body << " -> " << res.status);
    auto d = json_of(res);
    BOOST_REQUIRE(d.IsObject());
    BOOST_TEST(str(d["detail"]).find(r.named) != std::string::npos,
               r.body << " -> " << str(d["detail"]));
    BOOST_TEST(d["error"].IsString());
  }
  // Nothing changed.
  auto s = json_of(http_get(server->url("/api/cloud/polling/status"), auth));
  BOOST_TEST(s["is_active"].GetBool());
  BOOST_TEST(is_null(s["preference"]));
  BOOST_TEST(s["providers"][0]["interval_seconds"].GetInt() == 1);
}

BOOST_AUTO_TEST_SUITE_END()
