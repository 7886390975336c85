// Verified webhook deliveries confirm a job (its synced_at moves, without
// an event when nothing changed); one fed by webhooks alone that hears
// nothing for stale_after_seconds is shown stale until the next delivery.

#include "tests/integration/webhooks/event_client.hpp"
#include "tests/integration/webhooks/webhook_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

unix_ms synced_at(const rapidjson::Value& job) {
  BOOST_REQUIRE(job.HasMember("synced_at") && job["synced_at"].IsString());
  auto t = parse_rfc3339(job["synced_at"].GetString());
  BOOST_REQUIRE(t.has_value());
  return *t;
}

bool stale(const rapidjson::Value& job) {
  BOOST_REQUIRE(job.HasMember("stale") && job["stale"].IsBool());
  return job["stale"].GetBool();
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_confirmations)

BOOST_AUTO_TEST_CASE(each_verified_delivery_confirms_the_job) {
  temp_dir dir;
  // Nothing but webhooks confirms jobs here (no polling); three seconds
  // without one make a job stale.
  jobsyncd server{
      dir.path(),
      webhook_server_flags({"--set", "background.stale_after_seconds=3"})};
  const std::string id = "p-confirmed";
  event_client events{server.url("/api/events?job_id=" + id)};
  BOOST_REQUIRE(events.wait_open());
  BOOST_TEST(accepted_as(deliver(server, "msg_1", prediction(id, "processing")))
             == "received");
  auto first = synced_at(*stored_job(server, id));
  BOOST_TEST(!stale(*stored_job(server, id)));

  // Silence: the job turns stale by the clock alone, status unchanged.
  BOOST_TEST(eventually([&] { return stale(*stored_job(server, id)); }));
  BOOST_TEST(stored_status(server, id) == "running");
  BOOST_TEST(synced_at(*stored_job(server, id)) == first);

  // Deliveries that are not verified confirm nothing.
  auto body = prediction(id, "processing");
  auto forged = signed_headers("msg_2", body, other_secret);
  BOOST_TEST(post_webhook(server, body, forged).status == 401);
  BOOST_TEST(synced_at(*stored_job(server, id)) == first);

  // A verified one with nothing new does, and the job is fresh again.
  BOOST_TEST(accepted_as(deliver(server, "msg_2", body)) == "received");
  auto second = synced_at(*stored_job(server, id));
  BOOST_TEST(second > first);
  BOOST_TEST(!stale(*stored_job(server, id)));
  // A duplicate delivery was applied before: not a new confirmation.
  BOOST_TEST(eventually([&] { return now_ms() > second; }));
  BOOST_TEST(accepted_as(deliver(server, "msg_2", body)) == "duplicate");
  BOOST_TEST(synced_at(*stored_job(server, id)) == second);

  // The stream's events are the discovery and the real change:
  // confirmations are none.
  BOOST_TEST(accepted_as(deliver(server, "msg_3", prediction(id, "succeeded")))
             == "received");
  BOOST_REQUIRE(events.wait_for(
      [&](const received_event& e) { return e.status == "completed"; }));
  auto seen = events.events_of(id);
  BOOST_REQUIRE(seen.size() == 2u);
  BOOST_TEST(seen[0].previous_status == "");
  BOOST_TEST(seen[1].previous_status == "running");
  BOOST_TEST(synced_at(*stored_job(server, id)) > second);
}

BOOST_AUTO_TEST_SUITE_END()
