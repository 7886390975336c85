#include "actors/watchdog.hpp"

#include "tests/unit/actors/actor_fixture.hpp"

#include <caf/actor_cast.hpp>
#include <caf/response_promise.hpp>

#include <algorithm>

using namespace jobsync;

namespace {

// What the watchdog asks and nothing else: an untyped actor seen through
// the readiness interface. `answers` are given out in order (the last one
// repeats); with `wedged` set it takes the question and never answers, as
// a registry stuck in a long write would.
struct fake_readiness {
  std::vector<readiness> answers;
  size_t asked = 0;
  bool wedged = false;
  std::vector<caf::response_promise> held;
};

caf::behavior readiness_source(caf::event_based_actor* self,
                               std::shared_ptr<fake_readiness> src) {
  return {
      [self, src](ready_atom) -> caf::result<readiness> {
        ++src->asked;
        if (src->wedged) {
          src->held.push_back(self->make_response_promise());
          return src->held.back();
        }
        auto i = std::min(src->asked, src->answers.size()) - 1;
        return src->answers.at(i);
      },
  };
}

struct watchdog_fixture : test::actor_fixture {
  std::shared_ptr<fake_readiness> source = std::make_shared<fake_readiness>();
  std::shared_ptr<std::vector<std::string>> sent
      = std::make_shared<std::vector<std::string>>();

  watchdog_config config(std::optional<std::chrono::microseconds> timeout) {
    watchdog_config c;
    c.notify = [log = sent](const std::string& s) { log->push_back(s); };
    c.watchdog_timeout = timeout;
    c.startup_interval = std::chrono::milliseconds{100};
    c.status_interval = std::chrono::milliseconds{5000};
    c.serving = "127.0.0.1:8080";
    return c;
  }

  void start(watchdog_config c) {
    BOOST_REQUIRE(c.validate());
    auto src = caf::actor_cast<readiness_actor>(
        track(sys->spawn(readiness_source, source)));
    track(sys->spawn(jobsync::watchdog, std::move(c), src));
    sched->run();
  }

  size_t count(const std::string& what) const {
    return static_cast<size_t>(std::count(sent->begin(), sent->end(), what));
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(watchdog_suite, watchdog_fixture)

BOOST_AUTO_TEST_CASE(ready_is_sent_once_and_only_after_readiness_says_so) {
  source->answers = {{false, "the first poll of replicate has not finished"},
                     {false, "the first poll of replicate has not finished"},
                     {true, ""}};
  start(config(std::nullopt));
  BOOST_TEST(count("READY=1") == 0u);
  BOOST_TEST(count("STATUS=Starting: the first poll of replicate has not "
                   "finished")
             == 1u);
  advance(std::chrono::milliseconds{100});
  BOOST_TEST(count("READY=1") == 0u);
  advance(std::chrono::milliseconds{100});
  BOOST_TEST(count("READY=1") == 1u);
  BOOST_TEST(count("STATUS=Serving on 127.0.0.1:8080") == 1u);
  // Without a watchdog timeout there are no pings, and a repeated state is
  // not sent again.
  // (The test clock fires what is due when it moves; each answer sets the
  // next timer, so time moves one interval at a time.)
  for (int i = 0; i < 4; ++i)
    advance(std::chrono::milliseconds{5000});
  BOOST_TEST(count("READY=1") == 1u);
  BOOST_TEST(count("WATCHDOG=1") == 0u);
  BOOST_TEST(count("STATUS=Serving on 127.0.0.1:8080") == 1u);
  BOOST_TEST(source->asked >= 6u);
}

BOOST_AUTO_TEST_CASE(pings_go_out_at_half_the_watchdog_timeout) {
  source->answers = {{true, ""}};
  start(config(std::chrono::seconds{4}));
  BOOST_TEST(count("READY=1") == 1u);
  BOOST_TEST(count("WATCHDOG=1") == 1u);
  advance(std::chrono::milliseconds{1999});
  BOOST_TEST(count("WATCHDOG=1") == 1u);
  advance(std::chrono::milliseconds{1});
  BOOST_TEST(count("WATCHDOG=1") == 2u);
  advance(std::chrono::milliseconds{2000});
  BOOST_TEST(count("WATCHDOG=1") == 3u);
}

BOOST_AUTO_TEST_CASE(a_server_that_is_alive_but_not_ready_still_pings) {
  source->answers = {{true, ""}, {false, "storage is full"}};
  start(config(std::chrono::seconds{4}));
  advance(std::chrono::milliseconds{2000});
  BOOST_TEST(count("WATCHDOG=1") == 2u);
  BOOST_TEST(count("STATUS=Degraded: storage is full") == 1u);
}

BOOST_AUTO_TEST_CASE(pings_stop_when_readiness_stops_answering) {
  source->answers = {{true, ""}};
  start(config(std::chrono::seconds{4}));
  BOOST_TEST(count("WATCHDOG=1") == 1u);
  source->wedged = true;
  // The question asked at 2 s is never answered: its deadline passes and
  // no ping goes out, nor any later while the source stays stuck.
  for (int i = 0; i < 10; ++i)
    advance(std::chrono::milliseconds{1000});
  BOOST_TEST(count("WATCHDOG=1") == 1u);
  BOOST_TEST(sent->back().rfind("STATUS=Not answering", 0) == 0u);
  // Once it answers again, pings resume.
  source->wedged = false;
  for (int i = 0; i < 4; ++i)
    advance(std::chrono::milliseconds{1000});
  BOOST_TEST(count("WATCHDOG=1") >= 2u);
}

BOOST_AUTO_TEST_CASE(settings_without_a_notifier_are_refused) {
  watchdog_config c;
  BOOST_TEST(!c.validate());
  c.notify = [](const std::string&) {};
  c.watchdog_timeout = std::chrono::microseconds{10};
  BOOST_TEST(!c.validate());
}

BOOST_AUTO_TEST_SUITE_END()
