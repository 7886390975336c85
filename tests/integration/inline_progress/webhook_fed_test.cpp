#include "model/progress.hpp"
#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"

using namespace jobsync;
using namespace jobsync::test;

BOOST_AUTO_TEST_SUITE(inline_progress_from_webhooks)

// A job that only webhooks feed (polling off) shows the progress of the log
// the emulator holds, and the provider is never asked.
BOOST_AUTO_TEST_CASE(webhooks_alone_keep_inline_progress_right) {
  // The emulator signs with the secret config/test.yaml trusts.
  replicate_sim sim{{"--speed", "0", "--webhook-secret",
                     "whsec_dGVzdC1zZWNyZXQ=", "--webhook-throttle-ms", "0"}};
  temp_dir dir;
  jobsyncd server{dir.path(),
                  {"--set",
                   "providers.replicate.api_base_url=" + sim.api_base(),
                   "--set", "providers.replicate.api_token=r8_sim_token",
                   "--set", "background.job_status_polling.enabled=false"}};
  auto created = sim.admin(
      "/_admin/jobs",
      R"({"webhook":")" + server.url("/api/webhooks/replicate")
          + R"(","starting_seconds":2,"processing_seconds":600,"steps":1000})");
  BOOST_REQUIRE_MESSAGE(created.status == 200, created.body);
  std::string id = json_of(created)["ids"][0].GetString();
  auto progress_url = server.url("/api/cloud/jobs/" + id + "/inline-progress");
  auto expected = [&] {
    auto d = json_of(http_get(sim.url("/_admin/jobs/" + id)));
    return compute_inline_progress(d["logs"].IsString() ? d["logs"].GetString()
                                                        : "");
  };
  auto shown = [&] {
    auto r = http_get(progress_url);
    if (r.status != 200)
      return inline_progress{};
    auto d = json_of(r);
    inline_progress p;
    if (d["stage"].IsString())
      p.stage = d["stage"].GetString();
    if (d["last_log"].IsString())
      p.last_log = d["last_log"].GetString();
    if (d["progress"].IsNumber())
      p.progress = d["progress"].GetDouble();
    return p;
  };
  auto same = [](const inline_progress& a, const inline_progress& b) {
    return a.stage == b.stage && a.last_log == b.last_log
           && a.progress == b.progress;
  };
  // Three moments of the run: each delivers a `logs` webhook.
  for (int seconds : {30, 150, 200}) {
    sim.admin("/_admin/clock",
              R"({"advance_seconds":)" + std::to_string(seconds) + "}");
    auto want = expected();
    BOOST_REQUIRE(want.last_log);
    BOOST_TEST(eventually([&] { return same(shown(), want); }),
               "at +" << seconds << " s: want " << *want.last_log);
  }
  // By now the run is in its training steps.
  BOOST_TEST(expected().progress.has_value());
  // Past the freshness period (1 s) the answer still needs no provider.
  auto want = expected();
  auto quiet_until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < quiet_until)
    BOOST_TEST(same(shown(), want));
  auto stats = json_of(http_get(sim.url("/_admin/stats")));
  BOOST_TEST(stats["requests"]["total"].GetUint64() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
