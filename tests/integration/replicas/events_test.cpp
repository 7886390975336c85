// Events across replicas: one id sequence, every replica's stream carries
// every replica's events in id order, webhooks delivered to two replicas
// apply once, and a subscriber that moves to another replica with its
// Last-Event-ID misses nothing.

#include "tests/integration/replicas/replicas_fixture.hpp"

#include <future>

using namespace jobsync;
using namespace jobsync::test;

namespace {

// Waits until every stream holds `n` change events.
bool all_have(const std::vector<sse_stream*>& streams, size_t n) {
  return wait_all(streams, [&] {
    for (auto* s : streams)
      if (s->events().size() < n)
        return false;
    return true;
  });
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(events_across_replicas, replicas_fixture)

BOOST_AUTO_TEST_CASE(a_change_through_one_replica_reaches_every_replica) {
  auto a = replica();
  auto b = replica();
  auto c = replica();
  auto on_a = subscribe(*a);
  auto on_b = subscribe(*b);
  auto on_c = subscribe(*c);
  BOOST_TEST(deliver_status(*a, "msg_1", "j1", "starting") == "received");
  BOOST_TEST(deliver_status(*b, "msg_2", "j2", "starting") == "received");
  BOOST_TEST(deliver_status(*a, "msg_3", "j1", "processing") == "received");
  BOOST_TEST(deliver_status(*c, "msg_4", "j2", "succeeded") == "received");
  BOOST_REQUIRE(all_have({on_a.get(), on_b.get(), on_c.get()}, 4));
  std::vector<std::string> expected{"1:j1:queued", "2:j2:queued",
                                    "3:j1:running", "4:j2:completed"};
  BOOST_TEST(changes_of(*on_a) == expected);
  BOOST_TEST(changes_of(*on_b) == expected);
  BOOST_TEST(changes_of(*on_c) == expected);
  // Each replica reads what the others wrote.
  BOOST_TEST(stored_status(*b, "j1") == "running");
  BOOST_TEST(stored_total(*c) == 2u);
}

BOOST_AUTO_TEST_CASE(webhooks_delivered_to_two_replicas_apply_once) {
  auto a = replica();
  auto b = replica();
  auto watcher = subscribe(*b);
  // Replicate may deliver one webhook twice, to whichever replica the load
  // balancer picks: here every delivery reaches both at the same moment.
  int received = 0;
  int duplicates = 0;
  for (int i = 0; i < 20; ++i) {
    auto msg = "msg_" + std::to_string(i);
    auto status = i < 10 ? "processing" : "succeeded";
    auto to_a = std::async(std::launch::async, [&, msg] {
      return accepted_as(deliver(*a, msg, prediction("dup", status)));
    });
    auto to_b = std::async(std::launch::async, [&, msg] {
      return accepted_as(deliver(*b, msg, prediction("dup", status)));
    });
    for (auto answer : {to_a.get(), to_b.get()})
      (answer == "received" ? received : duplicates) += 1;
  }
  BOOST_TEST(received == 20);
  BOOST_TEST(duplicates == 20);
  BOOST_TEST(stored_status(*a, "dup") == "completed");
  BOOST_TEST(stored_total(*b) == 1u);
  // Two real changes (discovered running, then completed): two events.
  BOOST_REQUIRE(all_have({watcher.get()}, 2));
  BOOST_TEST(deliver_status(*a, "msg_last", "other", "starting") == "received");
  BOOST_REQUIRE(all_have({watcher.get()}, 3));
  BOOST_TEST((changes_of(*watcher)
              == std::vector<std::string>{"1:dup:running", "2:dup:completed",
                                          "3:other:queued"}));
}

BOOST_AUTO_TEST_CASE(a_subscriber_moving_to_another_replica_misses_nothing) {
  auto a = replica();
  auto b = replica();
  auto on_a = subscribe(*a);
  for (int i = 1; i <= 3; ++i)
    deliver_status(*a, "msg_" + std::to_string(i), "j" + std::to_string(i),
                   "starting");
  BOOST_REQUIRE(all_have({on_a.get()}, 3));
  auto last = on_a->parsed().last_event_id;
  BOOST_TEST(last == "3");
  on_a->close();
  // b's hub learns every event from the database's feed, a moment after
  // the commit; a client comes back after its retry delay, by when b has
  // them (one that came back within that moment would get resync_required:
  // docs/architecture.md, "Several replicas"). Another client of b shows
  // when b has them.
  auto watcher = subscribe(*b);
  // While the client is away, changes come through the other replica.
  for (int i = 1; i <= 3; ++i)
    deliver_status(*b, "msg_run_" + std::to_string(i), "j" + std::to_string(i),
                   "processing");
  BOOST_REQUIRE(all_have({watcher.get()}, 3));
  // It reconnects to b (the load balancer's choice) with its last id.
  auto on_b = subscribe(*b, last);
  BOOST_REQUIRE(all_have({on_b.get()}, 3));
  deliver_status(*a, "msg_done", "j1", "succeeded");
  BOOST_REQUIRE(all_have({on_b.get()}, 4));
  BOOST_TEST((changes_of(*on_b)
              == std::vector<std::string>{"4:j1:running", "5:j2:running",
                                          "6:j3:running", "7:j1:completed"}));
  BOOST_TEST(on_b->body().find("resync_required") == std::string::npos);
  // A replica started after all of this serves the same resume from the
  // events the database kept.
  auto c = replica();
  auto on_c = subscribe(*c, "5");
  BOOST_REQUIRE(all_have({on_c.get()}, 2));
  BOOST_TEST((changes_of(*on_c)
              == std::vector<std::string>{"6:j3:running", "7:j1:completed"}));
}

BOOST_AUTO_TEST_CASE(an_id_older_than_every_replica_keeps_gets_a_resync) {
  auto a = replica({"--set", "events.replay_buffer=2"});
  for (int i = 1; i <= 4; ++i)
    deliver_status(*a, "msg_" + std::to_string(i), "j" + std::to_string(i),
                   "starting");
  BOOST_TEST(eventually([&] {
    return server.query(server.database_of(url),
                        "SELECT count(*) FROM jobsync_events")[0][0]
           == "2";
  }));
  auto b = replica({"--set", "events.replay_buffer=2"});
  auto exact = subscribe(*b, "2");
  BOOST_REQUIRE(all_have({exact.get()}, 2));
  BOOST_TEST((changes_of(*exact)
              == std::vector<std::string>{"3:j3:queued", "4:j4:queued"}));
  auto too_old = subscribe(*b, "1");
  BOOST_REQUIRE(all_have({too_old.get()}, 1));
  BOOST_TEST(too_old->events().front().data.find("resync_required")
             != std::string::npos);
  BOOST_TEST(too_old->events().front().id == "4");
}

BOOST_AUTO_TEST_SUITE_END()
