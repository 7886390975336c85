#include "tests/integration/events/events_fixture.hpp"

#include <algorithm>

using namespace jobsync;
using namespace jobsync::test;

BOOST_FIXTURE_TEST_SUITE(event_delivery, events_fixture)

BOOST_AUTO_TEST_CASE(
    a_status_change_reaches_a_subscriber_as_a_well_formed_frame) {
  start();
  auto s = subscribe();
  BOOST_TEST(*s->header("content-type") == "text/event-stream");
  BOOST_TEST(*s->header("cache-control") == "no-cache");
  BOOST_TEST(*s->header("x-accel-buffering") == "no");
  // The retry hint from config/test.yaml and the current id (none yet).
  BOOST_TEST(s->body().rfind("retry: 100\nid: 0\n\n", 0) == 0, s->body());
  BOOST_TEST((s->parsed().retry == std::optional<long long>{100}));

  auto ids = seed(1);
  BOOST_TEST(sync() == 1u);
  BOOST_REQUIRE(s->wait_events(1));
  auto discovery = parse_change(s->events()[0]);
  BOOST_TEST(discovery.id == 1u);
  BOOST_TEST(discovery.job_id == ids[0]);
  BOOST_TEST(discovery.status == "queued");
  BOOST_TEST(discovery.previous_status.empty());
  // The exact bytes: id line, one data line, blank line; no event: name.
  auto frames = data_frames(s->body());
  BOOST_REQUIRE(frames.size() == 1u);
  BOOST_TEST(frames[0]
             == "id: 1\ndata: {\"type\":\"job_status_changed\",\"job_id\":\""
                    + ids[0]
                    + "\",\"status\":\"queued\",\"previous_status\":null,"
                      "\"provider\":\"replicate\"}");

  advance(ids[0], "processing");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(s->wait_events(2));
  auto running = parse_change(s->events()[1]);
  BOOST_TEST(running.id == 2u);
  BOOST_TEST(running.status == "running");
  BOOST_TEST(running.previous_status == "queued");

  advance(ids[0], "succeeded");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(s->wait_events(3));
  auto done = parse_change(s->events()[2]);
  BOOST_TEST(done.id == 3u);
  BOOST_TEST(done.status == "completed");
  BOOST_TEST(done.previous_status == "running");
  BOOST_TEST(s->parsed().last_event_id == "3");
}

BOOST_AUTO_TEST_CASE(a_quiet_stream_gets_keepalive_comments_and_stays_open) {
  // Heartbeat 1 s (test.yaml), request timeout 3 s: a stream that outlives
  // five heartbeats would have been cut without them.
  start({"server.request_timeout_seconds=3", "sync.active_deadline_seconds=2"});
  auto s = subscribe();
  BOOST_REQUIRE(s->wait_for([&] { return s->parsed().comments.size() >= 5; }));
  BOOST_TEST(s->parsed().comments[0] == "keepalive");
  BOOST_TEST(!s->closed());
  BOOST_TEST(s->body().find(": keepalive\n\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_subscribers_receive_identical_frames) {
  start();
  auto a = subscribe();
  auto b = subscribe();
  auto ids = seed(3);
  BOOST_TEST(sync() == 3u);
  advance(ids[0], "processing");
  advance(ids[1], "processing");
  BOOST_TEST(refresh() == 2u);
  advance(ids[0], "failed");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(wait_all({a.get(), b.get()}, [&] {
    return a->events().size() >= 6 && b->events().size() >= 6;
  }));
  BOOST_TEST(ids_seen(*a) == id_range(1, 6));
  auto fa = data_frames(a->body());
  auto fb = data_frames(b->body());
  BOOST_TEST(fa.size() == 6u);
  BOOST_TEST(fa == fb);
  for (const auto& e : a->events())
    parse_change(e);
}

BOOST_AUTO_TEST_CASE(filters_deliver_only_the_job_or_provider_asked_for) {
  start();
  auto ids = seed(3);
  // Discovered before the filtered subscribers listen: ids 1..3.
  auto observer = subscribe();
  BOOST_TEST(sync() == 3u);
  BOOST_REQUIRE(observer->wait_events(3));
  auto by_job = subscribe("/api/events?job_id=" + url_encode(ids[2]));
  auto by_provider = subscribe("/api/events?provider=replicate");
  auto all = subscribe();
  advance(ids[0], "processing");
  advance(ids[1], "processing");
  BOOST_TEST(refresh() == 2u);
  // The filtered job changes last, so once its event is here every earlier
  // one would have arrived before it.
  advance(ids[2], "processing");
  BOOST_TEST(refresh() == 1u);
  BOOST_REQUIRE(wait_all({by_job.get(), by_provider.get(), all.get()}, [&] {
    return by_job->events().size() >= 1 && by_provider->events().size() >= 3
           && all->events().size() >= 3;
  }));
  BOOST_REQUIRE(by_job->events().size() == 1u);
  auto c = parse_change(by_job->events()[0]);
  BOOST_TEST(c.job_id == ids[2]);
  BOOST_TEST(c.id == 6u);
  BOOST_TEST(data_frames(by_provider->body()) == data_frames(all->body()));
}

BOOST_AUTO_TEST_CASE(bad_filters_are_refused_with_the_json_error) {
  start();
  auto r = http_get(server->url("/api/events?job_id="));
  check_error(r, 400, "bad_request", "job_id");
  r = http_get(server->url("/api/events?provider=a&provider=b"));
  check_error(r, 400, "bad_request");
}

BOOST_AUTO_TEST_CASE(with_an_api_token_the_stream_accepts_it_in_the_query) {
  start({"server.api_token=sesame"});
  auto r = http_get(server->url("/api/events"));
  check_error(r, 401, "unauthorized");
  subscribe("/api/events?access_token=sesame");
  subscribe("/api/events", {{"Authorization", "Bearer sesame"}});
  r = http_get(server->url("/api/events?access_token=wrong"));
  check_error(r, 401, "unauthorized");
}

BOOST_AUTO_TEST_SUITE_END()
