// A replica whose database goes away: /readyz and writes answer 503
// (`unavailable`), nothing is lost, and it serves again without a restart
// once the database is back.

#include "tests/integration/replicas/replicas_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

// A 503 with the error table's JSON body, code `unavailable`.
void check_unavailable(const http_response& r) {
  BOOST_TEST(r.status == 503, r.status << " " << r.body);
  auto d = json_of(r);
  BOOST_REQUIRE(d.IsObject() && d.HasMember("error") && d.HasMember("detail"));
  BOOST_TEST(std::string{d["error"].GetString()} == "unavailable");
  BOOST_TEST(std::string{d["detail"].GetString()}.find("database")
                 != std::string::npos,
             d["detail"].GetString());
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(failover, replicas_fixture)

BOOST_AUTO_TEST_CASE(a_replica_without_its_database_is_unready_and_recovers) {
  auto a = replica();
  BOOST_TEST(deliver_status(*a, "msg_1", "p1", "processing") == "received");
  server.stop();
  // Readiness follows the database, writes and reads are refused clearly.
  BOOST_TEST(eventually([&] { return !ready(*a); }));
  check_unavailable(http_get(a->url("/readyz")));
  check_unavailable(deliver(*a, "msg_2", prediction("p1", "succeeded")));
  check_unavailable(deliver(*a, "msg_3", prediction("p2", "starting")));
  check_unavailable(http_get(a->url("/api/cloud/jobs/p1")));
  check_unavailable(http_request("DELETE", a->url("/api/cloud/jobs/p1")));
  BOOST_TEST(http_get(a->url("/healthz")).status == 200);
  // The same replica, no restart: ready again, and the refused delivery,
  // retried as Replicate would, is applied.
  server.start();
  BOOST_TEST(eventually([&] { return ready(*a); }));
  BOOST_TEST(accepted_as(deliver(*a, "msg_2", prediction("p1", "succeeded")))
             == "received");
  BOOST_TEST(stored_status(*a, "p1") == "completed");
  BOOST_TEST(stored_total(*a) == 1u);
  BOOST_TEST(a->process().output().find("unavailable") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_replica_that_cannot_reach_its_database_does_not_start) {
  dirs.push_back(std::make_unique<temp_dir>());
  auto flags = webhook_server_flags(
      {"--set", "storage.backend=postgres", "--set",
       "storage.postgres.url=host=" + dirs.back()->path()
           + " port=1 dbname=nowhere connect_timeout=2"});
  std::vector<std::string> argv{jobsyncd_binary(), "--config",
                                source_dir() + "/config/test.yaml",
                                "--data-dir", dirs.back()->path()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  child_process p{argv};
  BOOST_TEST(p.wait_exit().value_or(-1) == 1);
  BOOST_TEST(p.output().find("cannot open storage: the database is "
                             "unavailable")
                 != std::string::npos,
             p.output());
}

BOOST_AUTO_TEST_SUITE_END()
