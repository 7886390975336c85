#include "actors/leadership.hpp"

#include "tests/unit/actors/actor_fixture.hpp"

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

using words = std::vector<poll_leadership>;

// Locks whose every claim answers what the test set last, and which
// remember the providers each claim asked for.
struct scripted_locks : storage::leader_locks {
  result<std::map<std::string, poll_leadership>> next
      = failure{errc::unavailable, "nothing scripted"};
  std::vector<std::vector<std::string>> asked;

  result<std::map<std::string, poll_leadership>>
  claim(const std::vector<std::string>& providers) override {
    asked.push_back(providers);
    return next;
  }
};

// A poller that records the words it hears (seen through the poller
// interface: the leadership actor only tells it).
caf::behavior listening_poller(std::shared_ptr<words> heard) {
  return {
      [heard](lead_atom, const poll_leadership& l) { heard->push_back(l); },
  };
}

bool same(const poll_leadership& a, const poll_leadership& b) {
  return a.leading == b.leading && a.leader == b.leader;
}

struct leadership_fixture : test::actor_fixture {
  std::shared_ptr<scripted_locks> locks = std::make_shared<scripted_locks>();
  std::map<std::string, std::shared_ptr<words>> heard;
  std::map<std::string, poller_actor> pollers;
  leadership_config config
      = app::leadership_config_of(test::default_settings());
  leadership_actor leadership;

  poller_actor listener(const std::string& provider) {
    heard[provider] = std::make_shared<words>();
    return caf::actor_cast<poller_actor>(
        track(sys->spawn(listening_poller, heard[provider])));
  }

  void start() {
    BOOST_REQUIRE(config.validate());
    for (const auto& name : {"a", "b"})
      pollers[name] = listener(name);
    leadership = track(sys->spawn(jobsync::leadership, config,
                                  std::shared_ptr<storage::leader_locks>{locks},
                                  pollers));
    sched->run();
  }

  void script(poll_leadership a, poll_leadership b) {
    locks->next = std::map<std::string, poll_leadership>{{"a", a}, {"b", b}};
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(leadership_suite, leadership_fixture)

BOOST_AUTO_TEST_CASE(the_default_claims_every_half_poll_interval) {
  auto s = test::default_settings();
  BOOST_TEST(config.period.count() == s.polling.interval_seconds * 500);
  BOOST_TEST(config.replica == app::replica_name_of(s));
  // Host name and port.
  BOOST_TEST(config.replica.find(":8080") != std::string::npos, config.replica);
  s.server.port = 0;
  BOOST_TEST(app::replica_name_of(s).find(":pid") != std::string::npos);
  s.server.replica_name = "web-1";
  BOOST_TEST(app::replica_name_of(s) == "web-1");
}

BOOST_AUTO_TEST_CASE(each_poller_hears_its_word_and_every_change) {
  script({true, "me"}, {false, "other"});
  start();
  // The first claim runs at once.
  BOOST_REQUIRE(locks->asked.size() == 1u);
  BOOST_TEST((locks->asked[0] == std::vector<std::string>{"a", "b"}));
  BOOST_REQUIRE(heard["a"]->size() == 1u);
  BOOST_TEST(same(heard["a"]->back(), {true, "me"}));
  BOOST_REQUIRE(heard["b"]->size() == 1u);
  BOOST_TEST(same(heard["b"]->back(), {false, "other"}));
  // Claims repeat each period; a word that stays the same is not repeated.
  advance(config.period - 1ms);
  BOOST_TEST(locks->asked.size() == 1u);
  advance(1ms);
  BOOST_TEST(locks->asked.size() == 2u);
  BOOST_TEST(heard["a"]->size() == 1u);
  BOOST_TEST(heard["b"]->size() == 1u);
  // The other replica stopped: this one took b over.
  script({true, "me"}, {true, "me"});
  advance(config.period);
  BOOST_TEST(heard["a"]->size() == 1u);
  BOOST_REQUIRE(heard["b"]->size() == 2u);
  BOOST_TEST(same(heard["b"]->back(), {true, "me"}));
}

BOOST_AUTO_TEST_CASE(a_failed_claim_stops_every_poller_until_one_succeeds) {
  script({true, "me"}, {true, "me"});
  start();
  locks->next = failure{errc::unavailable, "the database is unavailable"};
  advance(config.period);
  for (const auto& name : {"a", "b"}) {
    BOOST_REQUIRE(heard[name]->size() == 2u);
    BOOST_TEST(same(heard[name]->back(), {false, ""}));
  }
  // It keeps trying, and says nothing new while it fails.
  advance(config.period);
  BOOST_TEST(locks->asked.size() == 3u);
  BOOST_TEST(heard["a"]->size() == 2u);
  script({false, "other"}, {true, "me"});
  advance(config.period);
  BOOST_TEST(same(heard["a"]->back(), {false, "other"}));
  BOOST_TEST(same(heard["b"]->back(), {true, "me"}));
}

BOOST_AUTO_TEST_CASE(a_restarted_poller_hears_the_last_word_at_once) {
  script({false, "other"}, {true, "me"});
  start();
  auto replacement = listener("b2");
  caf::anon_send(leadership, put_atom::value, provider_name{"b"}, replacement);
  sched->run();
  BOOST_REQUIRE(heard["b2"]->size() == 1u);
  BOOST_TEST(same(heard["b2"]->back(), {true, "me"}));
  // Later changes reach the replacement, not the poller that stopped.
  script({false, "other"}, {false, "other"});
  advance(config.period);
  BOOST_TEST(heard["b"]->size() == 1u);
  BOOST_REQUIRE(heard["b2"]->size() == 2u);
  BOOST_TEST(same(heard["b2"]->back(), {false, "other"}));
}

BOOST_AUTO_TEST_SUITE_END()
