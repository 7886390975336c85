// replicate-sim sends its own signed webhooks to jobsyncd, with polling
// off: the store must follow every job to its end from webhooks alone.

#include "tests/integration/webhooks/webhook_fixture.hpp"

#include <set>

using namespace jobsync;
using namespace jobsync::test;

namespace {

const std::map<std::string, std::string> sim_auth{
    {"Authorization", "Bearer r8_sim_token"},
    {"Content-Type", "application/json"}};

std::string mapped(const std::string& replicate_status) {
  static const std::map<std::string, std::string> m{
      {"starting", "queued"},     {"processing", "running"},
      {"succeeded", "completed"}, {"failed", "failed"},
      {"canceled", "cancelled"},  {"aborted", "cancelled"}};
  return m.at(replicate_status);
}

bool terminal(const std::string& replicate_status) {
  return replicate_status != "starting" && replicate_status != "processing";
}

rapidjson::Document sim_job(const replicate_sim& sim, const std::string& id) {
  auto r = http_get(sim.url("/_admin/jobs/" + id));
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body);
  return json_of(r);
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhooks_end_to_end)

BOOST_AUTO_TEST_CASE(the_store_follows_every_job_to_its_end_by_webhooks_alone) {
  // Real time, short runs; the sim signs with the secret jobsyncd has.
  replicate_sim sim{{"--webhook-secret", test_secret, "--seed", "7",
                     "--starting-seconds", "0.3", "--processing-seconds", "2",
                     "--failure-rate", "0.25", "--cancel-rate", "0.15",
                     "--steps", "200", "--webhook-throttle-ms", "100"}};
  temp_dir dir;
  jobsyncd server{
      dir.path(),
      webhook_server_flags(
          {"--set", "providers.replicate.api_base_url=" + sim.api_base(),
           "--set",
           "providers.replicate.api_token="
           "r8_sim_token"})};
  const std::string hook = server.url(webhook_path);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    auto body = R"({"version":"simpletuner/advanced-trainer-h100",)"
                R"("input":{"config_json":"{}"},"webhook":")"
                + hook + "\"}";
    auto r
        = http_request("POST", sim.api_base() + "/predictions", body, sim_auth);
    BOOST_REQUIRE_MESSAGE(r.status == 201, r.status << " " << r.body);
    ids.emplace_back(json_of(r)["id"].GetString());
  }
  // Every job ends at the sim, and the store has its end state, with the
  // provider's own completion time, from webhooks alone.
  auto all_followed = [&] {
    for (const auto& id : ids) {
      auto at_sim = sim_job(sim, id);
      std::string word = at_sim["status"].GetString();
      if (!terminal(word))
        return false;
      auto stored = stored_job(server, id);
      if (!stored || (*stored)["status"].GetString() != mapped(word))
        return false;
      if (!(*stored)["completed_at"].IsString()
          || std::string{(*stored)["completed_at"].GetString()}
                 != at_sim["completed_at"].GetString())
        return false;
    }
    return true;
  };
  BOOST_TEST(eventually(all_followed, std::chrono::seconds{120},
                        std::chrono::milliseconds{100}));
  std::set<std::string> outcomes;
  for (const auto& id : ids) {
    auto at_sim = sim_job(sim, id);
    outcomes.insert(at_sim["status"].GetString());
    auto stored = stored_job(server, id);
    BOOST_REQUIRE(stored);
    BOOST_TEST_CONTEXT(id) {
      BOOST_TEST(std::string{(*stored)["status"].GetString()}
                 == mapped(at_sim["status"].GetString()));
      BOOST_TEST(std::string{(*stored)["provider"].GetString()} == "replicate");
      if (at_sim["started_at"].IsString())
        BOOST_TEST(std::string{(*stored)["started_at"].GetString()}
                   == at_sim["started_at"].GetString());
      if (std::string{at_sim["status"].GetString()} == "failed")
        BOOST_TEST((*stored)["error_message"].IsString());
    }
  }
  BOOST_TEST_MESSAGE("outcomes: " << outcomes.size());
  BOOST_TEST(stored_total(server) == ids.size());
  // Every delivery was accepted, and nothing polled.
  BOOST_TEST(eventually([&] {
    return json_of(http_get(sim.url("/_admin/webhooks")))["pending"].GetInt()
           == 0;
  }));
  auto attempts = json_of(http_get(sim.url("/_admin/webhooks")));
  BOOST_REQUIRE(attempts["attempts"].IsArray());
  BOOST_TEST(attempts["attempts"].Size() >= 2 * ids.size());
  for (const auto& a : attempts["attempts"].GetArray())
    BOOST_TEST(a["status"].GetInt() == 200, a["msg_id"].GetString());
  auto stats = json_of(http_get(sim.url("/_admin/stats")));
  BOOST_TEST(stats["requests"]["list"].GetUint64() == 0u);
  BOOST_TEST(stats["requests"]["get"].GetUint64() == 0u);
  BOOST_TEST(stats["webhooks"]["failed"].GetUint64() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
