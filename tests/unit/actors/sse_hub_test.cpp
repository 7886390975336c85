#include "actors/sse_hub.hpp"

#include "actors/error.hpp"

#include <boost/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include <memory>
#include <optional>
#include <variant>

using namespace jobsync;

namespace {

// A subscriber's output that records what the hub does with it. The test
// sets how much it "owes" (unflushed bytes) and whether the end of its
// stream is confirmed at once.
struct fake_output : event_output {
  bool can_open = true;
  bool opened = false;
  std::vector<std::string> writes;
  size_t owed = 0;
  bool closed = false;
  size_t writes_after_close = 0;
  bool confirm_close = true;
  std::function<void()> close_done;

  bool open() override {
    opened = can_open;
    return can_open;
  }

  void write(std::shared_ptr<const std::string> bytes) override {
    if (closed)
      ++writes_after_close;
    else
      writes.push_back(*bytes);
  }

  size_t unflushed() const override {
    return owed;
  }

  void close(std::function<void()> done) override {
    closed = true;
    close_done = std::move(done);
    if (confirm_close && close_done)
      close_done();
  }

  std::string text() const {
    std::string all;
    for (const auto& w : writes)
      all += w;
    return all;
  }
};

job_changed ev(uint64_t id, std::string job = {},
               std::optional<std::string> provider = "replicate") {
  job_changed e;
  e.event_id = id;
  e.job_id = job.empty() ? "job-" + std::to_string(id) : std::move(job);
  e.provider = std::move(provider);
  e.status = job_status::running;
  e.previous = job_status::queued;
  return e;
}

std::string frame(uint64_t id, std::string job = {}) {
  return "id: " + std::to_string(id)
         + "\ndata: {\"type\":\"job_status_changed\",\"job_id\":\""
         + (job.empty() ? "job-" + std::to_string(id) : job)
         + "\",\"status\":\"running\",\"previous_status\":\"queued\","
           "\"provider\":\"replicate\"}\n\n";
}

sse_hub_config small_config() {
  sse_hub_config c;
  c.heartbeat = std::chrono::seconds(15);
  c.retry = std::chrono::milliseconds(100);
  c.replay_buffer = 5;
  c.max_connections = 4;
  c.max_connections_per_address = 2;
  c.max_buffered_bytes = 1000;
  return c;
}

using outcome = std::shared_ptr<std::optional<std::variant<uint64_t, failure>>>;

// The hub on CAF's deterministic scheduler: nothing runs until the test
// says so, and time only moves when the test moves it.
struct hub_fixture {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  sse_hub_actor hub;
  uint64_t next_connection = 1;

  hub_fixture() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    start(small_config());
  }

  ~hub_fixture() {
    caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
    sched->run();
  }

  void start(sse_hub_config c) {
    if (hub) {
      caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
      sched->run();
    }
    BOOST_REQUIRE(c.validate());
    hub = sys->spawn(sse_hub, c);
    sched->run();
  }

  event_subscription subscription(std::shared_ptr<fake_output> out,
                                  std::optional<std::string> last = {},
                                  std::string address = "10.0.0.1") {
    event_subscription s;
    s.output = std::move(out);
    s.connection_id = next_connection++;
    s.remote_address = std::move(address);
    s.last_event_id = std::move(last);
    return s;
  }

  outcome request(event_subscription s) {
    auto slot
        = std::make_shared<std::optional<std::variant<uint64_t, failure>>>();
    sys->spawn([=](caf::event_based_actor* self) {
      self->request(hub, caf::infinite, subscribe_atom::value, s)
          .then([slot](uint64_t id) { *slot = id; },
                [slot](caf::error& e) { *slot = from_error(e); });
    });
    return slot;
  }

  /// Subscribes and runs; fails the test unless accepted.
  std::shared_ptr<fake_output> subscribe(std::optional<std::string> last = {},
                                         std::string address = "10.0.0.1") {
    auto out = std::make_shared<fake_output>();
    auto slot = request(subscription(out, std::move(last), std::move(address)));
    sched->run();
    BOOST_REQUIRE(slot->has_value());
    if (auto* f = std::get_if<failure>(&**slot))
      BOOST_FAIL("refused: " << f->detail);
    return out;
  }

  /// Subscribes and runs; returns the refusal.
  failure refused(std::shared_ptr<fake_output> out, std::string address) {
    auto slot = request(subscription(std::move(out), {}, std::move(address)));
    sched->run();
    BOOST_REQUIRE(slot->has_value());
    BOOST_REQUIRE(std::holds_alternative<failure>(**slot));
    return std::get<failure>(**slot);
  }

  // One commit's events, as the registry sends them.
  void publish(std::initializer_list<job_changed> events) {
    caf::anon_send(hub, std::vector<job_changed>{events});
    sched->run();
  }

  // One event in a commit of its own.
  void send_event(job_changed e) {
    caf::anon_send(hub, std::vector<job_changed>{std::move(e)});
  }

  event_stream_stats stats() {
    auto slot = std::make_shared<event_stream_stats>();
    sys->spawn([=](caf::event_based_actor* self) {
      self->request(hub, caf::infinite, status_atom::value)
          .then([slot](event_stream_stats& s) { *slot = s; });
    });
    sched->run();
    return *slot;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(sse_hub_suite, hub_fixture)

BOOST_AUTO_TEST_CASE(a_first_connect_gets_the_retry_hint_and_the_current_id) {
  publish({ev(1), ev(2)});
  auto out = subscribe();
  BOOST_TEST(out->opened);
  BOOST_REQUIRE(out->writes.size() == 1u);
  BOOST_TEST(out->writes[0] == "retry: 100\nid: 2\n\n");
}

BOOST_AUTO_TEST_CASE(every_subscriber_gets_every_event_once_in_order) {
  auto a = subscribe();
  auto b = subscribe(std::nullopt, "10.0.0.2");
  publish({ev(1)});
  publish({ev(2)});
  BOOST_TEST(a->text() == "retry: 100\nid: 0\n\n" + frame(1) + frame(2));
  BOOST_TEST(b->text() == a->text());
}

BOOST_AUTO_TEST_CASE(a_burst_goes_out_in_one_write_per_subscriber) {
  auto a = subscribe();
  publish({ev(1), ev(2), ev(3)});
  BOOST_REQUIRE(a->writes.size() == 2u);
  BOOST_TEST(a->writes[1] == frame(1) + frame(2) + frame(3));
  BOOST_TEST(stats().frames_sent == 3u);
}

BOOST_AUTO_TEST_CASE(events_around_a_resume_are_sent_exactly_once) {
  // Mailbox order: two events, the subscription (resuming after 0), two
  // more. The first two come as replay, the others live, none twice.
  auto out = std::make_shared<fake_output>();
  send_event(ev(1));
  send_event(ev(2));
  caf::anon_send(hub, subscribe_atom::value, subscription(out, "0"));
  send_event(ev(3));
  send_event(ev(4));
  sched->run();
  BOOST_TEST(out->text()
             == "retry: 100\n\n" + frame(1) + frame(2) + frame(3) + frame(4));
}

BOOST_AUTO_TEST_CASE(a_first_connect_in_the_middle_gets_only_later_events) {
  auto out = std::make_shared<fake_output>();
  send_event(ev(1));
  caf::anon_send(hub, subscribe_atom::value, subscription(out));
  send_event(ev(2));
  sched->run();
  BOOST_TEST(out->text() == "retry: 100\nid: 1\n\n" + frame(2));
}

BOOST_AUTO_TEST_CASE(a_resume_replays_exactly_the_missed_events) {
  publish({ev(1), ev(2), ev(3), ev(4)});
  auto out = subscribe("2");
  BOOST_TEST(out->text() == "retry: 100\n\n" + frame(3) + frame(4));
  auto current = subscribe("4", "10.0.0.2");
  BOOST_TEST(current->text() == "retry: 100\n\n");
  BOOST_TEST(stats().frames_sent == 2u);
}

BOOST_AUTO_TEST_CASE(an_id_the_ring_cannot_place_gets_resync_required) {
  publish({ev(1), ev(2), ev(3), ev(4), ev(5), ev(6), ev(7)});
  // The ring keeps 5 events (3..7): after 2 every event is here, after 1
  // event 2 is gone.
  BOOST_TEST(subscribe("2")->text()
             == "retry: 100\n\n" + frame(3) + frame(4) + frame(5) + frame(6)
                    + frame(7));
  auto resync = "retry: 100\n\nid: 7\ndata: {\"type\":\"resync_required\"}\n\n";
  BOOST_TEST(subscribe("1", "10.0.0.2")->text() == resync);
  BOOST_TEST(subscribe("8", "10.0.0.3")->text() == resync);
  auto garbage = subscribe("yesterday", "10.0.0.4");
  BOOST_TEST(garbage->text() == resync);
  // After the resync frame the stream goes on live.
  publish({ev(8)});
  BOOST_TEST(garbage->text() == resync + frame(8));
  BOOST_TEST(stats().resyncs == 3u);
}

BOOST_AUTO_TEST_CASE(a_restarted_hub_resumes_from_the_stores_last_id) {
  auto c = small_config();
  c.last_event_id = 40;
  start(c);
  BOOST_TEST(subscribe()->text() == "retry: 100\nid: 40\n\n");
  auto resumed = subscribe("40");
  BOOST_TEST(resumed->text() == "retry: 100\n\n");
  BOOST_TEST(subscribe("39", "10.0.0.2")->text().find("resync_required")
             != std::string::npos);
  publish({ev(41)});
  BOOST_TEST(resumed->text() == "retry: 100\n\n" + frame(41));
}

BOOST_AUTO_TEST_CASE(a_backlog_from_a_shared_store_serves_resumes_at_once) {
  // A replica that starts while others already wrote: the store's newest
  // events fill the ring, so a client coming from another replica resumes.
  auto c = small_config();
  c.last_event_id = 12;
  c.backlog = {ev(10), ev(11), ev(12)};
  start(c);
  BOOST_TEST(subscribe("9")->text()
             == "retry: 100\n\n" + frame(10) + frame(11) + frame(12));
  BOOST_TEST(subscribe("11", "10.0.0.2")->text()
             == "retry: 100\n\n" + frame(12));
  BOOST_TEST(subscribe("8", "10.0.0.3")->text().find("resync_required")
             != std::string::npos);
  BOOST_TEST(subscribe(std::nullopt, "10.0.0.4")->text()
             == "retry: 100\nid: 12\n\n");
}

BOOST_AUTO_TEST_CASE(lost_events_resync_every_subscriber_and_the_ring) {
  publish({ev(1), ev(2)});
  auto live = subscribe();
  auto filtered = std::make_shared<fake_output>();
  auto s = subscription(filtered, std::nullopt, "10.0.0.2");
  s.job_id = "job-21";
  request(std::move(s));
  sched->run();
  // Events 3 to 20 never reach this hub (the store pruned them while its
  // feed was away): whoever listens may have missed some.
  caf::anon_send(hub, resync_atom::value, uint64_t{20});
  publish({ev(21)});
  auto resync = "id: 20\ndata: {\"type\":\"resync_required\"}\n\n";
  BOOST_TEST(live->text()
             == "retry: 100\nid: 2\n\n" + std::string{resync} + frame(21));
  BOOST_TEST(filtered->text()
             == "retry: 100\nid: 2\n\n" + std::string{resync} + frame(21));
  // The ring restarts after 20: an older id cannot be served exactly.
  BOOST_TEST(subscribe("20", "10.0.0.3")->text()
             == "retry: 100\n\n" + frame(21));
  BOOST_TEST(subscribe("2", "10.0.0.4")->text().find("resync_required")
             != std::string::npos);
  BOOST_TEST(stats().resyncs == 3u);
}

BOOST_AUTO_TEST_CASE(connection_limits_refuse_with_unavailable) {
  subscribe(std::nullopt, "10.0.0.1");
  subscribe(std::nullopt, "10.0.0.1");
  auto third = std::make_shared<fake_output>();
  auto f = refused(third, "10.0.0.1");
  BOOST_TEST((f.code == errc::unavailable));
  BOOST_TEST(f.detail.find("10.0.0.1") != std::string::npos);
  BOOST_TEST(!third->opened);
  subscribe(std::nullopt, "10.0.0.2");
  subscribe(std::nullopt, "10.0.0.3");
  auto fifth = std::make_shared<fake_output>();
  f = refused(fifth, "10.0.0.4");
  BOOST_TEST((f.code == errc::unavailable));
  BOOST_TEST(f.detail.find("events.max_connections") != std::string::npos);
  auto s = stats();
  BOOST_TEST(s.refused == 2u);
  BOOST_TEST(s.subscribers == 4u);
}

BOOST_AUTO_TEST_CASE(a_closed_connection_ends_its_stream_and_frees_its_slot) {
  auto first_connection = next_connection;
  auto a = subscribe();
  subscribe();
  caf::anon_send(hub, unsubscribe_atom::value, first_connection);
  // Unknown connections (every other HTTP connection) change nothing.
  caf::anon_send(hub, unsubscribe_atom::value, uint64_t{999});
  sched->run();
  BOOST_TEST(a->closed);
  subscribe();
  publish({ev(1)});
  BOOST_TEST(a->writes_after_close == 0u);
  auto s = stats();
  BOOST_TEST(s.disconnected == 1u);
  BOOST_TEST(s.subscribers == 2u);
}

BOOST_AUTO_TEST_CASE(
    a_subscriber_that_owes_too_much_for_a_heartbeat_is_dropped_alone) {
  auto slow = subscribe();
  auto fast = subscribe(std::nullopt, "10.0.0.2");
  slow->owed = 1001;
  // The first heartbeat notes it; events still go to it meanwhile.
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  BOOST_TEST(!slow->closed);
  publish({ev(1)});
  BOOST_TEST(slow->text().find(frame(1)) != std::string::npos);
  // Still behind at the next one: dropped, and only it.
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  BOOST_TEST(slow->closed);
  publish({ev(2)});
  BOOST_TEST(slow->writes_after_close == 0u);
  BOOST_TEST(fast->text()
             == "retry: 100\nid: 0\n\n: keepalive\n\n" + frame(1)
                    + ": keepalive\n\n" + frame(2));
  auto s = stats();
  BOOST_TEST(s.dropped_slow == 1u);
  BOOST_TEST(s.subscribers == 1u);
  // Its address slot is free again.
  subscribe();
  subscribe();
}

BOOST_AUTO_TEST_CASE(a_subscriber_that_catches_up_between_heartbeats_is_kept) {
  auto out = subscribe();
  out->owed = 5000;
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  out->owed = 0;
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  out->owed = 5000;
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  BOOST_TEST(!out->closed);
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  BOOST_TEST(out->closed);
}

BOOST_AUTO_TEST_CASE(
    a_burst_above_the_bound_reaches_a_subscriber_that_owes_nothing) {
  auto out = subscribe();
  for (uint64_t i = 1; i <= 20; ++i)
    send_event(ev(i));
  sched->run();
  BOOST_TEST(!out->closed);
  BOOST_REQUIRE(out->writes.size() == 2u);
  BOOST_TEST(out->writes[1].size() > small_config().max_buffered_bytes);
}

BOOST_AUTO_TEST_CASE(the_heartbeat_reaches_every_stream) {
  auto a = subscribe();
  auto b = subscribe(std::nullopt, "10.0.0.2");
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  BOOST_TEST(a->writes.back() == ": keepalive\n\n");
  BOOST_TEST(b->writes.back() == ": keepalive\n\n");
  sched->advance_time(std::chrono::seconds(15));
  sched->run();
  BOOST_TEST(a->writes.size() == 3u);
  BOOST_TEST(b->writes.size() == 3u);
}

BOOST_AUTO_TEST_CASE(filters_deliver_only_matching_events_live_and_in_replays) {
  publish({ev(1, "a"), ev(2, "b")});
  auto by_job = std::make_shared<fake_output>();
  auto s = subscription(by_job, "0");
  s.job_id = "a";
  auto by_provider = std::make_shared<fake_output>();
  auto p = subscription(by_provider, std::nullopt, "10.0.0.2");
  p.provider = "replicate";
  auto other = std::make_shared<fake_output>();
  auto o = subscription(other, std::nullopt, "10.0.0.3");
  o.provider = "other";
  request(s);
  request(p);
  request(o);
  sched->run();
  publish({ev(3, "b"), ev(4, "a"), ev(5, "c", std::nullopt)});
  BOOST_TEST(by_job->text()
             == "retry: 100\n\n" + frame(1, "a") + frame(4, "a"));
  BOOST_TEST(by_provider->text()
             == "retry: 100\nid: 2\n\n" + frame(3, "b") + frame(4, "a"));
  BOOST_TEST(other->text() == "retry: 100\nid: 2\n\n");
}

BOOST_AUTO_TEST_CASE(a_stream_that_cannot_open_takes_no_slot) {
  for (int i = 0; i < 3; ++i) {
    auto out = std::make_shared<fake_output>();
    out->can_open = false;
    auto f = refused(out, "10.0.0.1");
    BOOST_TEST((f.code == errc::timeout));
    BOOST_TEST(out->writes.empty());
  }
  subscribe();
  subscribe();
  BOOST_TEST(stats().subscribers == 2u);
}

BOOST_AUTO_TEST_CASE(
    a_drain_ends_every_stream_and_answers_once_they_are_written) {
  auto a = subscribe();
  auto b = subscribe(std::nullopt, "10.0.0.2");
  a->confirm_close = false;
  b->confirm_close = false;
  auto answer = std::make_shared<std::optional<uint64_t>>();
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(hub, caf::infinite, drain_atom::value)
        .then([answer](uint64_t n) { *answer = n; });
  });
  sched->run();
  BOOST_TEST(a->closed);
  BOOST_TEST(b->closed);
  BOOST_TEST(!answer->has_value());
  a->close_done();
  sched->run();
  BOOST_TEST(!answer->has_value());
  b->close_done();
  sched->run();
  BOOST_TEST((*answer == std::optional<uint64_t>{2}));
  auto late = std::make_shared<fake_output>();
  BOOST_TEST((refused(late, "10.0.0.3").code == errc::unavailable));
  BOOST_TEST(!late->opened);
}

BOOST_AUTO_TEST_CASE(
    a_drain_answers_at_its_deadline_when_an_end_is_never_written) {
  auto a = subscribe();
  a->confirm_close = false;
  auto answer = std::make_shared<std::optional<uint64_t>>();
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(hub, caf::infinite, drain_atom::value)
        .then([answer](uint64_t n) { *answer = n; });
  });
  sched->run();
  BOOST_TEST(!answer->has_value());
  sched->advance_time(small_config().drain_timeout);
  sched->run();
  BOOST_TEST((*answer == std::optional<uint64_t>{1}));
}

BOOST_AUTO_TEST_CASE(a_drain_without_streams_answers_at_once) {
  auto answer = std::make_shared<std::optional<uint64_t>>();
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(hub, caf::infinite, drain_atom::value)
        .then([answer](uint64_t n) { *answer = n; });
  });
  sched->run();
  BOOST_TEST((*answer == std::optional<uint64_t>{0}));
}

BOOST_AUTO_TEST_CASE(exit_ends_every_open_stream) {
  auto a = subscribe();
  auto b = subscribe(std::nullopt, "10.0.0.2");
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
  sched->run();
  BOOST_TEST(a->closed);
  BOOST_TEST(b->closed);
}

BOOST_AUTO_TEST_CASE(the_counters_follow_what_happened) {
  auto a = subscribe();
  publish({ev(1), ev(2)});
  subscribe("0", "10.0.0.2");
  auto s = stats();
  BOOST_TEST(s.subscribers == 2u);
  BOOST_TEST(s.subscriptions == 2u);
  BOOST_TEST(s.events == 2u);
  // Two live frames to the first, two replayed to the second.
  BOOST_TEST(s.frames_sent == 4u);
  BOOST_TEST(s.last_event_id == 2u);
  BOOST_TEST(s.replay_size == 2u);
}

BOOST_AUTO_TEST_CASE(an_event_that_does_not_grow_the_id_is_ignored) {
  auto a = subscribe();
  publish({ev(5), ev(5), ev(4)});
  BOOST_TEST(a->text() == "retry: 100\nid: 0\n\n" + frame(5));
  BOOST_TEST(stats().events == 1u);
}

BOOST_AUTO_TEST_CASE(invalid_settings_are_refused) {
  auto c = small_config();
  c.heartbeat = std::chrono::milliseconds(0);
  BOOST_TEST(!c.validate());
  c = small_config();
  c.replay_buffer = 0;
  BOOST_TEST(!c.validate());
  c = small_config();
  c.max_connections_per_address = 0;
  BOOST_TEST(!c.validate());
  c = small_config();
  c.max_buffered_bytes = 0;
  BOOST_TEST(!c.validate());
  BOOST_TEST(static_cast<bool>(small_config().validate()));
}

BOOST_AUTO_TEST_SUITE_END()
