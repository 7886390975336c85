// One poller per provider across replicas: only the replica holding the
// provider's lock polls (the emulator counts each replica's requests by its
// token), every replica's polling status names it, and when it is killed
// with SIGKILL another replica polls within one interval, and a subscriber
// of the dead replica resumes on another one without missing an event.

#include "tests/integration/replicas/replicas_fixture.hpp"

#include "model/timestamp.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

// Long enough that a loaded machine cannot blur "within one interval":
// the locks are claimed every 3 s.
constexpr int interval_seconds = 6;

/// A frozen-clock emulator that knows one token per replica.
struct polled_replicas : replicas_fixture {
  replicate_sim sim{{"--speed", "0", "--token", "r8_A", "--token", "r8_B",
                     "--token", "r8_C"}};

  /// A replica named `name` that polls the emulator with its own token.
  std::unique_ptr<jobsyncd> polling_replica(const std::string& name) {
    return replica(
        {"--set", "background.job_status_polling.enabled=true", "--set",
         "background.job_status_polling.interval_seconds="
             + std::to_string(interval_seconds),
         "--set", "providers.replicate.api_base_url=" + sim.api_base(), "--set",
         "providers.replicate.api_token=r8_" + name, "--set",
         "server.replica_name=" + name});
  }

  /// Requests the emulator counted for each replica's token.
  std::map<std::string, uint64_t> requests_by_replica() {
    auto d = json_of(http_get(sim.url("/_admin/stats")));
    std::map<std::string, uint64_t> out;
    for (const auto& name : {"A", "B", "C"}) {
      auto token = std::string{"r8_"} + name;
      const auto& by = d["requests_by_token"];
      out[name]
          = by.HasMember(token.c_str()) ? by[token.c_str()].GetUint64() : 0;
    }
    return out;
  }
};

/// The replicate poller's status on a replica.
rapidjson::Document poller_of(const jobsyncd& r) {
  auto resp = http_get(r.url("/api/cloud/polling/status"));
  BOOST_REQUIRE_MESSAGE(resp.status == 200, resp.status << " " << resp.body);
  auto d = json_of(resp);
  rapidjson::Document p;
  p.CopyFrom(d["providers"][0], p.GetAllocator());
  return p;
}

std::string leader_of(const rapidjson::Document& p) {
  return p["leader"].IsString() ? p["leader"].GetString() : "";
}

/// Whether the replica's status names `leader` as the poller, and says
/// whether it is that replica itself.
bool says_leader_is(const jobsyncd& r, const std::string& leader) {
  auto p = poller_of(r);
  return leader_of(p) == leader
         && p["leading"].GetBool() == (p["replica"].GetString() == leader);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(polling_across_replicas, polled_replicas)

BOOST_AUTO_TEST_CASE(one_replica_polls_and_another_takes_over_when_it_dies) {
  auto jobs = sim.admin("/_admin/jobs", R"({"count":3,"status":"processing"})");
  BOOST_REQUIRE_MESSAGE(jobs.status == 200, jobs.body);
  // A starts first and is ready only after its first cycle: it holds the
  // lock before B and C start.
  auto a = polling_replica("A");
  auto b = polling_replica("B");
  auto c = polling_replica("C");
  // A subscriber on A (it will move when A dies) and one on C.
  auto on_a = subscribe(*a);
  auto on_c = subscribe(*c);
  BOOST_TEST(
      json_of(http_request("POST", a->url("/api/cloud/jobs/sync")))["synced"]
          .GetUint64()
      == 3u);
  BOOST_REQUIRE(on_a->wait_events(3, std::chrono::seconds(60)));
  BOOST_REQUIRE(on_c->wait_events(3, std::chrono::seconds(60)));
  for (auto* r : {a.get(), b.get(), c.get()})
    BOOST_TEST(eventually([&] { return says_leader_is(*r, "A"); }),
               poller_of(*r)["replica"].GetString());

  // Only A polls: two more of its cycles, and not one request from B or C.
  sim.admin("/_admin/stats/reset", "{}");
  auto cycles = poller_of(*a)["cycles"].GetUint64();
  BOOST_TEST(eventually(
      [&] { return poller_of(*a)["cycles"].GetUint64() >= cycles + 2; },
      std::chrono::seconds(60)));
  auto counted = requests_by_replica();
  BOOST_TEST(counted["A"] >= 2u);
  BOOST_TEST(counted["B"] == 0u);
  BOOST_TEST(counted["C"] == 0u);
  for (auto* r : {b.get(), c.get()}) {
    auto p = poller_of(*r);
    BOOST_TEST(p["cycles"].GetUint64() == 0u);
    BOOST_TEST(p["next_cycle_at"].IsNull());
    BOOST_TEST(p["enabled"].GetBool());
  }

  // A dies without a word. Its database session ends with it, and B or C
  // takes the lock at its next claim (every half interval). A job finishes
  // at the provider meanwhile.
  auto id = std::string{json_of(jobs)["ids"][0].GetString()};
  auto killed_at = now_ms();
  a->kill();
  BOOST_REQUIRE(
      sim.admin("/_admin/jobs/" + id + "/advance", R"({"to":"succeeded"})")
          .status
      == 200);
  jobsyncd* taker = nullptr;
  rapidjson::Document first;
  BOOST_REQUIRE(eventually(
      [&] {
        for (auto* r : {b.get(), c.get()}) {
          auto p = poller_of(*r);
          if (p["leading"].GetBool() && p["cycles"].GetUint64() > 0) {
            taker = r;
            first.CopyFrom(p, first.GetAllocator());
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(10)));
  // Its first cycle (the next is an interval later, so this is the one
  // the taker started on taking over).
  BOOST_TEST(first["cycles"].GetUint64() == 1u);
  auto started = parse_rfc3339(first["last_cycle"]["started_at"].GetString());
  BOOST_REQUIRE(started);
  BOOST_TEST(*started - killed_at <= interval_seconds * 1000,
             "took over " << *started - killed_at << " ms after the kill");
  std::string name = first["replica"].GetString();
  auto* other = taker == b.get() ? c.get() : b.get();
  BOOST_TEST(eventually([&] { return says_leader_is(*other, name); }));
  BOOST_TEST(poller_of(*other)["cycles"].GetUint64() == 0u);
  counted = requests_by_replica();
  BOOST_TEST(counted[name] >= 1u);
  BOOST_TEST(counted[other == b.get() ? "B" : "C"] == 0u);

  // The new leader finds the change, and it reaches C's subscriber.
  BOOST_REQUIRE(on_c->wait_events(4, std::chrono::seconds(60)));
  auto change = parse_change(on_c->events().back());
  BOOST_TEST(change.job_id == id);
  BOOST_TEST(change.status == "completed");
  BOOST_TEST(change.previous_status == "running");
  BOOST_TEST(stored_status(*other, id) == "completed");
  // A's subscriber lost its replica; it reconnects to B with its last id
  // and gets exactly what C's subscriber got after that id.
  BOOST_TEST(on_a->wait_closed());
  auto last = on_a->parsed().last_event_id;
  BOOST_TEST(last == std::to_string(parse_change(on_c->events()[2]).id));
  auto moved = subscribe(*b, last);
  BOOST_REQUIRE(moved->wait_events(1, std::chrono::seconds(60)));
  auto on_c_after = changes_of(*on_c);
  on_c_after.erase(on_c_after.begin(), on_c_after.begin() + 3);
  BOOST_TEST((changes_of(*moved) == on_c_after));
  BOOST_TEST(moved->body().find("resync_required") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(
    a_setting_made_through_another_replica_reaches_the_leader) {
  // A load balancer may send `PUT /api/cloud/polling/setting` to any
  // replica; the one that polls must follow it, without a restart.
  auto a = polling_replica("A");
  BOOST_REQUIRE(eventually([&] { return says_leader_is(*a, "A"); }));
  auto b = polling_replica("B");
  BOOST_REQUIRE(eventually([&] { return says_leader_is(*b, "A"); }));
  auto off = http_request("PUT", b->url("/api/cloud/polling/setting"),
                          R"({"enabled": false})",
                          {{"Content-Type", "application/json"}});
  BOOST_REQUIRE_MESSAGE(off.status == 200, off.body);
  // Within one claim period (half the interval) the leader has it.
  BOOST_TEST(eventually(
      [&] {
        auto p = poller_of(*a);
        return p["preference"].IsBool() && !p["preference"].GetBool()
               && !p["enabled"].GetBool();
      },
      std::chrono::seconds(30)));
  // Off means no more cycles (what off does to a poller is tested with one
  // replica, in sync_polling/polling_control_test.cpp).
  BOOST_TEST(!poller_of(*a)["is_active"].GetBool());
  BOOST_TEST(
      eventually([&] { return !poller_of(*a)["cycle_running"].GetBool(); },
                 std::chrono::seconds(30)));
}

BOOST_AUTO_TEST_CASE(a_replica_that_stops_hands_its_providers_over) {
  auto a = polling_replica("A");
  auto b = polling_replica("B");
  BOOST_TEST(eventually([&] { return says_leader_is(*b, "A"); }));
  BOOST_TEST(a->stop() == 0);
  BOOST_TEST(eventually([&] { return says_leader_is(*b, "B"); },
                        std::chrono::seconds(60)));
  // The line is logged right after the poller is told, and read from the
  // process's output meanwhile: awaited, not expected at once.
  BOOST_TEST(eventually([&] {
    return b->process().output().find("replicate: this replica (B) polls "
                                      "it now")
           != std::string::npos;
  }));
}

BOOST_AUTO_TEST_SUITE_END()
