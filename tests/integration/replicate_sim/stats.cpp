// /_admin/stats: what tests learn about the traffic a client sent.

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>

using namespace jobsync;
using namespace jobsync::test;

namespace {

uint64_t requests(const rapidjson::Document& stats, const char* name) {
  return stats["requests"][name].GetUint64();
}

} // namespace

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(requests_are_counted_per_endpoint_with_gets_per_job) {
  sim_process sim;
  auto id = sim.create_prediction();
  auto other = sim.create_prediction();
  for (int i = 0; i < 3; ++i)
    sim.api("GET", "/predictions/" + id);
  sim.api("GET", "/predictions/" + other);
  sim.api("GET", "/predictions");
  sim.api("POST", "/predictions/" + id + "/cancel");
  sim.api("GET", "/account");
  sim.api("GET", "/webhooks/default/secret");
  sim.api("GET", "/hardware");
  http_request("GET", sim.base() + "/account"); // unauthenticated
  // Admin traffic is not counted.
  sim.job(id);
  sim.admin("GET", "/faults");
  auto s = sim.stats();
  BOOST_TEST(requests(s, "create") == 2u);
  BOOST_TEST(requests(s, "get") == 4u);
  BOOST_TEST(requests(s, "list") == 1u);
  BOOST_TEST(requests(s, "cancel") == 1u);
  BOOST_TEST(requests(s, "account") == 2u);
  BOOST_TEST(requests(s, "secret") == 1u);
  BOOST_TEST(requests(s, "total") == 12u);
  // By the token they carried: the unauthenticated one had none.
  BOOST_TEST(s["requests_by_token"].MemberCount() == 1u);
  BOOST_TEST(s["requests_by_token"][sim_token.c_str()].GetUint64() == 11u);
  BOOST_TEST(s["gets_by_job"][id.c_str()].Size() == 3u);
  BOOST_TEST(s["gets_by_job"][other.c_str()].Size() == 1u);
  auto& times = s["gets_by_job"][id.c_str()];
  for (rapidjson::SizeType i = 1; i < times.Size(); ++i)
    BOOST_TEST(times[i].GetInt64() >= times[i - 1].GetInt64());
  BOOST_TEST(times[0].GetInt64() > 1'600'000'000'000);
  BOOST_TEST(s["early_requests"].GetUint64() == 0u);
  auto& w = s["webhooks"];
  for (auto name : {"sent", "succeeded", "failed", "retried"})
    BOOST_TEST(w[name].GetUint64() == 0u);
  BOOST_TEST(sim.admin("POST", "/stats/reset").status == 200);
  s = sim.stats();
  BOOST_TEST(requests(s, "total") == 0u);
  BOOST_TEST(s["requests_by_token"].ObjectEmpty());
  BOOST_TEST(s["gets_by_job"].ObjectEmpty());
}

BOOST_AUTO_TEST_CASE(requests_before_retry_after_passed_count_as_early) {
  sim_process sim;
  auto r = sim.admin("POST", "/faults",
                     R"({"endpoint":"list","status":429,"retry_after":1,)"
                     R"("count":1})");
  BOOST_REQUIRE(r.status == 200);
  BOOST_TEST(sim.api("GET", "/predictions").status == 429);
  BOOST_TEST(sim.stats()["early_requests"].GetUint64() == 0u);
  // Straight back: ignores the Retry-After of 1 s.
  BOOST_TEST(sim.api("GET", "/predictions").status == 200);
  BOOST_TEST(sim.stats()["early_requests"].GetUint64() == 1u);
  // Nothing to await here: the point is that time has passed, and after
  // this sleep the second has passed for certain.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  BOOST_TEST(sim.api("GET", "/predictions").status == 200);
  BOOST_TEST(sim.stats()["early_requests"].GetUint64() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
