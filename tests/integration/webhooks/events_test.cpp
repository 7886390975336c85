// What webhooks publish on GET /api/events: exactly one event per real
// status change, none for refusals, duplicates or late deliveries.
//
// Events are published after the commit, so a 200 does not mean the event
// has reached the stream yet. Each test ends with a sentinel delivery and
// waits for its event: events are published in commit order, so every
// earlier one has arrived by then and the counts are final.

#include "tests/integration/webhooks/event_client.hpp"
#include "tests/integration/webhooks/webhook_fixture.hpp"

#include <thread>

using namespace jobsync;
using namespace jobsync::test;

namespace {

void settle(const jobsyncd& server, event_client& events) {
  static int n = 0;
  auto id = "sentinel-" + std::to_string(++n);
  // Terminal, so that a running poller never asks the provider about it.
  BOOST_REQUIRE(
      accepted_as(deliver(server, "msg_" + id, prediction(id, "succeeded")))
      == "received");
  BOOST_REQUIRE(
      events.wait_for([&](const received_event& e) { return e.job_id == id; }));
}

std::vector<std::string> transitions(const event_client& events,
                                     const std::string& job_id) {
  std::vector<std::string> out;
  for (const auto& e : events.events_of(job_id))
    out.push_back((e.previous_status.empty() ? "-" : e.previous_status) + ">"
                  + e.status);
  return out;
}

struct events_fixture {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags()};
  event_client events{server.url("/api/events")};

  events_fixture() {
    BOOST_REQUIRE(events.wait_open());
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(webhook_events, events_fixture)

BOOST_AUTO_TEST_CASE(each_status_change_is_one_event) {
  deliver(server, "msg_1", prediction("p1", "starting"));
  deliver(server, "msg_2", prediction("p1", "processing"));
  // Logs alone change no status: no event.
  deliver(server, "msg_3",
          prediction("p1", "processing", R"("logs":"Step 1/10\n")"));
  deliver(server, "msg_4", prediction("p1", "succeeded"));
  settle(server, events);
  std::vector<std::string> expected{"->queued", "queued>running",
                                    "running>completed"};
  BOOST_TEST(transitions(events, "p1") == expected,
             boost::test_tools::per_element());
  // Ids only grow.
  auto all = events.events();
  for (size_t i = 1; i < all.size(); ++i)
    BOOST_TEST(all[i - 1].id < all[i].id);
}

BOOST_AUTO_TEST_CASE(refused_deliveries_publish_nothing) {
  auto body = prediction("p1", "processing");
  check_error(
      post_webhook(server, body, signed_headers("msg_1", body, other_secret)),
      401, "unauthorized");
  check_error(post_webhook(server, body,
                           signed_headers("msg_2", body, test_secret,
                                          unix_now() - 3600)),
              401, "unauthorized");
  check_error(post_webhook(server, "{\"id\": 1}",
                           signed_headers("msg_3", "{\"id\": 1}")),
              400, "bad_request");
  settle(server, events);
  BOOST_TEST(events.events_of("p1").empty());
}

BOOST_AUTO_TEST_CASE(duplicates_publish_one_event) {
  auto body = prediction("p1", "processing");
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(accepted_as(deliver(server, "msg_seq", body)).size() > 0u);
  auto concurrent = prediction("p2", "processing");
  auto headers = signed_headers("msg_conc", concurrent);
  std::vector<std::thread> senders;
  std::vector<long> statuses(6);
  for (size_t i = 0; i < statuses.size(); ++i)
    senders.emplace_back([&, i] {
      statuses[i] = post_webhook(server, concurrent, headers).status;
    });
  for (auto& t : senders)
    t.join();
  for (auto s : statuses)
    BOOST_TEST(s == 200);
  settle(server, events);
  BOOST_TEST(events.events_of("p1").size() == 1u);
  BOOST_TEST(events.events_of("p2").size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_late_delivery_publishes_nothing) {
  deliver(server, "msg_1", prediction("p1", "succeeded"));
  deliver(server, "msg_2", prediction("p1", "processing"));
  deliver(server, "msg_3", prediction("p1", "starting"));
  settle(server, events);
  std::vector<std::string> expected{"->completed"};
  BOOST_TEST(transitions(events, "p1") == expected,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(webhooks_and_polling)

BOOST_AUTO_TEST_CASE(a_change_seen_by_a_webhook_and_a_poll_is_one_event) {
  // Both paths on, the sim's clock frozen (jobs move only when told). Each
  // end state reaches jobsyncd twice: jobs of the first kind get only their
  // start webhook, so the poller stores their end and the test then sends
  // the same state as a signed webhook; jobs of the second kind get their
  // completed webhook and then a sync applies the same state from the
  // provider's list. Either way the second sighting changes no status.
  replicate_sim sim{{"--speed", "0", "--webhook-secret", test_secret}};
  temp_dir dir;
  jobsyncd server{dir.path(),
                  {"--set", "background.job_status_polling.enabled=true",
                   "--set", "background.job_status_polling.interval_seconds=1",
                   "--set", "providers.replicate.webhook_secret=" + test_secret,
                   "--set",
                   "providers.replicate.api_base_url=" + sim.api_base(),
                   "--set", "providers.replicate.api_token=r8_sim_token"}};
  event_client events{server.url("/api/events")};
  BOOST_REQUIRE(events.wait_open());
  auto create = [&](const std::string& filter) {
    auto r = sim.admin("/_admin/jobs",
                       R"({"count":3,"status":"processing","webhook":")"
                           + server.url(webhook_path)
                           + R"(","webhook_events_filter":)" + filter + "}");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::string> ids;
    auto d = json_of(r);
    for (const auto& id : d["ids"].GetArray())
      ids.emplace_back(id.GetString());
    return ids;
  };
  auto polled = create(R"(["start"])");
  auto hooked = create(R"(["start","completed"])");
  std::vector<std::string> all = polled;
  all.insert(all.end(), hooked.begin(), hooked.end());
  for (const auto& id : all)
    BOOST_REQUIRE(
        eventually([&] { return stored_status(server, id) == "running"; }));
  auto end_of = [](size_t i) { return i % 2 == 0 ? "succeeded" : "failed"; };
  auto mapped = [](const std::string& w) {
    return w == "succeeded" ? std::string{"completed"} : w;
  };
  for (size_t i = 0; i < all.size(); ++i)
    BOOST_REQUIRE(sim.admin("/_admin/jobs/" + all[i] + "/advance",
                            R"({"to":")" + std::string{end_of(i)} + "\"}")
                      .status
                  == 200);
  for (size_t i = 0; i < all.size(); ++i)
    BOOST_REQUIRE(eventually(
        [&] { return stored_status(server, all[i]) == mapped(end_of(i)); }));
  // The second sightings.
  for (const auto& id : polled) {
    auto body = http_get(sim.url("/_admin/jobs/" + id)).body;
    auto r = deliver(server, "msg_replay_" + id, body);
    BOOST_TEST(accepted_as(r) == "received");
    BOOST_TEST(!json_of(r)["created"].GetBool());
  }
  auto synced = http_request("POST", server.url("/api/cloud/jobs/sync"));
  BOOST_TEST(synced.status == 200, synced.body);
  settle(server, events);
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<std::string> expected{"->running",
                                      "running>" + mapped(end_of(i))};
    BOOST_TEST(transitions(events, all[i]) == expected,
               boost::test_tools::per_element());
  }
  auto stats = json_of(http_get(sim.url("/_admin/stats")));
  BOOST_TEST(stats["webhooks"]["failed"].GetUint64() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
