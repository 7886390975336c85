#include "actors/webhook_receiver.hpp"

#include "actors/registry.hpp"
#include "model/standard_webhooks.hpp"
#include "model/timestamp.hpp"
#include "tests/unit/actors/actor_fixture.hpp"

#include <caf/actor_cast.hpp>

using namespace jobsync;

namespace {

const std::string secret = "whsec_dGVzdC1zZWNyZXQ="; // "test-secret"

std::string prediction(const std::string& id, const std::string& status) {
  return R"({"id":")" + id + R"(","model":"owner/trainer","version":"v",)"
         + R"("status":")" + status
         + R"(","created_at":"2026-11-01T10:00:00Z","logs":""})";
}

int64_t now_s() {
  return now_ms() / 1000;
}

webhook_request signed_request(const std::string& msg_id,
                               const std::string& body,
                               const std::string& with_secret = secret,
                               int64_t ts = now_s()) {
  webhook_request r;
  r.body = body;
  r.id = msg_id;
  r.timestamp = std::to_string(ts);
  r.signature
      = sign_webhook(*decode_webhook_secret(with_secret), msg_id, ts, body);
  r.remote_address = "10.0.0.1";
  return r;
}

// What the receiver asks of the sync actor, and nothing else: an untyped
// actor seen through the sync interface, so that handlers other engineers
// add to sync_actor do not have to be faked here.
struct fake_secret_source {
  int asked = 0;
  std::vector<std::variant<std::string, failure>> answers;
};

caf::behavior secret_source(std::shared_ptr<fake_secret_source> src) {
  return {
      [src](secret_atom, const provider_name&) -> caf::result<std::string> {
        auto i = static_cast<size_t>(src->asked++);
        const auto& a = src->answers.at(std::min(i, src->answers.size() - 1));
        if (auto* f = std::get_if<failure>(&a))
          return to_error(*f);
        return std::get<std::string>(a);
      },
  };
}

struct receiver_fixture : test::actor_fixture {
  registry_actor registry;
  std::shared_ptr<fake_secret_source> source
      = std::make_shared<fake_secret_source>();
  sync_actor sync;
  webhook_receiver_actor receiver;
  std::shared_ptr<providers::provider> provider;

  receiver_fixture() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(),
                   app::registry_config_of(test::default_settings()), sink));
    provider = test::offline_provider();
    sync
        = caf::actor_cast<sync_actor>(track(sys->spawn(secret_source, source)));
    sched->run();
  }

  void spawn_receiver(webhook_receiver_config c) {
    BOOST_REQUIRE(c.validate());
    receiver = track(sys->spawn(
        jobsync::webhook_receiver, std::move(c),
        std::shared_ptr<const providers::provider>{provider}, registry, sync));
    sched->run();
  }

  webhook_receiver_config config(std::string with_secret = secret) {
    const auto& [name, p] = *test::default_settings().providers.begin();
    auto c = app::webhook_config_of(test::default_settings(), name, p);
    c.secret = std::move(with_secret);
    c.failed_signatures_per_minute = 1000;
    return c;
  }

  using answer = outcome<webhook_outcome>;

  // The failure keeps the refusal's retry-after (from_error).
  answer send(webhook_request r) {
    return send_request<webhook_outcome>(receiver, webhook_atom::value, r);
  }

  webhook_outcome accepted(webhook_request r) {
    auto slot = send(std::move(r));
    sched->run();
    BOOST_REQUIRE_MESSAGE(slot->has_value(), "no answer");
    if (auto* x = std::get_if<failure>(&**slot))
      BOOST_FAIL(x->detail);
    return std::get<webhook_outcome>(**slot);
  }

  failure refused(webhook_request r) {
    auto slot = send(std::move(r));
    sched->run();
    BOOST_REQUIRE_MESSAGE(slot->has_value(), "no answer");
    BOOST_REQUIRE_MESSAGE(std::holds_alternative<failure>(**slot),
                          "expected a refusal");
    return std::get<failure>(**slot);
  }

  static int64_t retry_seconds(const failure& f) {
    return f.retry_after.value_or(std::chrono::seconds{0}).count();
  }

  std::optional<job> stored(const std::string& id) {
    auto r = std::move(*store->begin_read());
    return *r->get(id);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(failure_limiter_suite)

BOOST_AUTO_TEST_CASE(failures_over_the_limit_wait_for_the_end_of_the_window) {
  failure_limiter limiter{2};
  auto t0 = failure_limiter::clock::time_point{} + std::chrono::hours{1};
  BOOST_TEST(!limiter.record("a", t0).over);
  BOOST_TEST(!limiter.record("a", t0 + std::chrono::seconds{10}).over);
  auto third = limiter.record("a", t0 + std::chrono::seconds{20});
  BOOST_TEST(third.over);
  BOOST_TEST(third.crossed);
  BOOST_TEST((third.wait == std::chrono::seconds{40}));
  auto fourth = limiter.record("a", t0 + std::chrono::seconds{30});
  BOOST_TEST(fourth.over);
  BOOST_TEST(!fourth.crossed);
  // Other addresses have their own window.
  BOOST_TEST(!limiter.record("b", t0 + std::chrono::seconds{30}).over);
  // A new window starts once the old one has ended.
  BOOST_TEST(!limiter.record("a", t0 + std::chrono::seconds{60}).over);
  BOOST_TEST(limiter.prune(t0 + std::chrono::seconds{95}) == 1u); // "b"
  BOOST_TEST(limiter.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(webhook_receiver_suite, receiver_fixture)

BOOST_AUTO_TEST_CASE(a_signed_delivery_is_recorded_before_it_is_answered) {
  spawn_receiver(config());
  auto seen_at_answer = std::make_shared<std::optional<bool>>();
  auto* st = store.get();
  auto r = signed_request("msg_1", prediction("p1", "processing"));
  sys->spawn([=](caf::event_based_actor* self) {
    self->request(receiver, caf::infinite, webhook_atom::value, r)
        .then([=](webhook_outcome& o) {
          BOOST_TEST(o.created);
          BOOST_TEST(o.job_id == "p1");
          BOOST_TEST((o.status == job_status::running));
          *seen_at_answer = (*st->begin_read())->get("p1")->has_value();
        });
  });
  sched->run();
  BOOST_REQUIRE(seen_at_answer->has_value());
  BOOST_TEST(**seen_at_answer);
  BOOST_TEST(events->size() == 1u);
  // The same message again changes nothing.
  auto again = accepted(r);
  BOOST_TEST(again.duplicate);
  BOOST_TEST(events->size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_callback_is_answered_after_the_commit_or_at_a_refusal) {
  // The HTTP way: the answer comes through the callback, from the registry
  // once the delivery is stored, or from the receiver when it refuses, also
  // for deliveries that waited for the secret.
  source->answers = {std::string{secret}};
  spawn_receiver(config(""));
  auto* st = store.get();
  std::vector<result<webhook_outcome>> answers;
  std::vector<bool> stored_at_answer;
  auto keep = [&](result<webhook_outcome> r) {
    stored_at_answer.push_back((*st->begin_read())->get("p1")->has_value());
    answers.push_back(std::move(r));
  };
  auto r = signed_request("msg_1", prediction("p1", "processing"));
  caf::anon_send(receiver, webhook_atom::value, r,
                 answer_callback<webhook_outcome>{keep});
  caf::anon_send(receiver, webhook_atom::value,
                 signed_request("msg_2", prediction("p2", "processing"),
                                "whsec_b3RoZXItc2VjcmV0"),
                 answer_callback<webhook_outcome>{keep});
  sched->run();
  BOOST_TEST(source->asked == 1);
  BOOST_REQUIRE(answers.size() == 2u);
  // The refusal needs no commit, so it may come first.
  auto created = answers[0] ? 0 : 1;
  BOOST_REQUIRE(static_cast<bool>(answers[created]));
  BOOST_TEST(answers[created]->created);
  BOOST_TEST(answers[created]->job_id == "p1");
  BOOST_TEST(stored_at_answer[created]);
  BOOST_REQUIRE(!answers[1 - created]);
  BOOST_TEST((answers[1 - created].error().code == errc::unauthorized));
  BOOST_TEST(!stored("p2"));
  caf::anon_send(receiver, webhook_atom::value, r,
                 answer_callback<webhook_outcome>{keep});
  sched->run();
  BOOST_REQUIRE(answers.size() == 3u);
  BOOST_REQUIRE(static_cast<bool>(answers[2]));
  BOOST_TEST(answers[2]->duplicate);
  BOOST_TEST(events->size() == 1u);
}

BOOST_AUTO_TEST_CASE(
    every_kind_of_bad_signature_is_unauthorized_and_stores_nothing) {
  spawn_receiver(config());
  auto body = prediction("p1", "processing");
  std::vector<std::pair<std::string, webhook_request>> cases;
  auto tampered = signed_request("msg_1", body);
  tampered.body = prediction("p1", "succeeded");
  cases.emplace_back("altered", tampered);
  cases.emplace_back("altered",
                     signed_request("msg_2", body, "whsec_b3RoZXItc2VjcmV0"));
  auto no_sig = signed_request("msg_3", body);
  no_sig.signature.reset();
  cases.emplace_back("missing webhook-signature", no_sig);
  auto no_id = signed_request("msg_4", body);
  no_id.id.reset();
  cases.emplace_back("missing webhook-id", no_id);
  auto bad_ts = signed_request("msg_5", body);
  bad_ts.timestamp = "yesterday";
  cases.emplace_back("malformed", bad_ts);
  auto bad_list = signed_request("msg_6", body);
  bad_list.signature = "garbage";
  cases.emplace_back("malformed", bad_list);
  cases.emplace_back("in the past",
                     signed_request("msg_7", body, secret, now_s() - 301 - 60));
  cases.emplace_back("in the future",
                     signed_request("msg_8", body, secret, now_s() + 301 + 60));
  for (auto& [why, r] : cases) {
    auto x = refused(r);
    BOOST_TEST((x.code == errc::unauthorized), why);
    BOOST_TEST(x.detail.find(why) != std::string::npos,
               why << ": " << x.detail);
  }
  BOOST_TEST(!stored("p1"));
  BOOST_TEST(events->empty());
}

BOOST_AUTO_TEST_CASE(one_matching_signature_among_several_is_enough) {
  spawn_receiver(config());
  auto r = signed_request("msg_1", prediction("p1", "starting"));
  auto good = *r.signature;
  r.signature = "v1,AAAA" + std::string{" v2,"} + good.substr(3) + " " + good;
  BOOST_TEST(accepted(r).created);
  // Only unknown versions: nothing to compare with.
  auto other = signed_request("msg_2", prediction("p2", "starting"));
  other.signature = "v1a," + other.signature->substr(3);
  BOOST_TEST((refused(other).code == errc::unauthorized));
}

BOOST_AUTO_TEST_CASE(
    failed_checks_over_the_limit_are_rate_limited_but_valid_ones_pass) {
  auto c = config();
  c.failed_signatures_per_minute = 2;
  spawn_receiver(c);
  auto bad = signed_request("msg_bad", prediction("p1", "processing"),
                            "whsec_b3RoZXItc2VjcmV0");
  BOOST_TEST((refused(bad).code == errc::unauthorized));
  BOOST_TEST((refused(bad).code == errc::unauthorized));
  auto over = refused(bad);
  BOOST_TEST((over.code == errc::rate_limited));
  BOOST_TEST(retry_seconds(over) == 60);
  // The same address still gets valid deliveries through.
  BOOST_TEST(accepted(signed_request("msg_ok", prediction("p2", "processing")))
                 .created);
  // Another address is not affected.
  auto elsewhere = bad;
  elsewhere.remote_address = "10.0.0.2";
  BOOST_TEST((refused(elsewhere).code == errc::unauthorized));
  advance(std::chrono::seconds{30});
  BOOST_TEST(retry_seconds(refused(bad)) == 30);
  // A new minute, a new allowance.
  advance(std::chrono::seconds{30});
  BOOST_TEST((refused(bad).code == errc::unauthorized));
  BOOST_TEST(!stored("p1"));
}

BOOST_AUTO_TEST_CASE(the_secret_is_fetched_once_for_concurrent_deliveries) {
  source->answers = {std::string{secret}};
  spawn_receiver(config(""));
  auto a = send(signed_request("msg_1", prediction("p1", "starting")));
  auto b = send(signed_request("msg_2", prediction("p2", "starting")));
  auto bad = send(signed_request("msg_3", prediction("p3", "starting"),
                                 "whsec_b3RoZXItc2VjcmV0"));
  sched->run();
  BOOST_TEST(source->asked == 1);
  BOOST_TEST(std::holds_alternative<webhook_outcome>(**a));
  BOOST_TEST(std::holds_alternative<webhook_outcome>(**b));
  BOOST_TEST(std::holds_alternative<failure>(**bad));
  accepted(signed_request("msg_4", prediction("p4", "starting")));
  BOOST_TEST(source->asked == 1);
}

BOOST_AUTO_TEST_CASE(
    without_a_secret_signed_deliveries_are_refused_and_the_fetch_retried_later) {
  source->answers = {failure{errc::provider_error, "Replicate is down"},
                     std::string{secret}};
  auto c = config("");
  c.secret_retry = std::chrono::seconds{5};
  spawn_receiver(c);
  auto r = signed_request("msg_1", prediction("p1", "starting"));
  auto first = refused(r);
  BOOST_TEST((first.code == errc::unauthorized));
  BOOST_TEST(first.detail.find("providers.replicate.webhook_secret")
                 != std::string::npos,
             first.detail);
  BOOST_TEST(first.detail.find("Replicate is down") != std::string::npos);
  // Within the retry pause the provider is not asked again.
  BOOST_TEST((refused(r).code == errc::unauthorized));
  BOOST_TEST(source->asked == 1);
  advance(std::chrono::seconds{5});
  BOOST_TEST(accepted(r).created);
  BOOST_TEST(source->asked == 2);
}

BOOST_AUTO_TEST_CASE(a_rotated_secret_is_fetched_again_at_most_once_a_minute) {
  const std::string rotated = "whsec_b3RoZXItc2VjcmV0"; // "other-secret"
  source->answers = {std::string{secret}, rotated};
  auto c = config("");
  c.secret_recheck = std::chrono::seconds{60};
  spawn_receiver(c);
  BOOST_TEST(
      accepted(signed_request("msg_1", prediction("p1", "starting"))).created);
  BOOST_TEST(source->asked == 1);
  // Signed with a secret the receiver does not know: within the minute the
  // provider is not asked again, whatever the number of such deliveries.
  auto by_rotated
      = signed_request("msg_2", prediction("p2", "starting"), rotated);
  for (int i = 0; i < 3; ++i)
    BOOST_TEST((refused(by_rotated).code == errc::unauthorized));
  BOOST_TEST(source->asked == 1);
  // After it, a mismatch asks again, and the rotated secret is taken.
  advance(std::chrono::seconds{60});
  BOOST_TEST(accepted(by_rotated).created);
  BOOST_TEST(source->asked == 2);
  BOOST_TEST(
      accepted(signed_request("msg_3", prediction("p3", "starting"), rotated))
          .created);
  BOOST_TEST(
      (refused(signed_request("msg_4", prediction("p4", "starting"))).code
       == errc::unauthorized));
  BOOST_TEST(source->asked == 2);
}

BOOST_AUTO_TEST_CASE(a_failed_recheck_keeps_the_secret_fetched_before) {
  source->answers = {std::string{secret},
                     failure{errc::provider_error, "Replicate is down"}};
  auto c = config("");
  c.secret_recheck = std::chrono::seconds{60};
  spawn_receiver(c);
  accepted(signed_request("msg_1", prediction("p1", "starting")));
  advance(std::chrono::seconds{60});
  auto wrong = refused(signed_request("msg_2", prediction("p2", "starting"),
                                      "whsec_b3RoZXItc2VjcmV0"));
  BOOST_TEST(source->asked == 2);
  // Answered as a mismatch, not as a missing secret.
  BOOST_TEST((wrong.code == errc::unauthorized));
  BOOST_TEST(wrong.detail.find("No v1 signature matches") != std::string::npos,
             wrong.detail);
  BOOST_TEST(
      accepted(signed_request("msg_3", prediction("p3", "starting"))).created);
}

BOOST_AUTO_TEST_CASE(a_configured_secret_is_never_fetched) {
  source->answers = {std::string{"whsec_b3RoZXItc2VjcmV0"}};
  auto c = config();
  c.secret_recheck = std::chrono::seconds{0};
  spawn_receiver(c);
  for (int i = 0; i < 3; ++i)
    refused(signed_request("msg_" + std::to_string(i),
                           prediction("p1", "starting"),
                           "whsec_b3RoZXItc2VjcmV0"));
  BOOST_TEST(source->asked == 0);
}

BOOST_AUTO_TEST_CASE(a_reloaded_secret_checks_the_next_delivery) {
  spawn_receiver(config());
  const std::string rotated = "whsec_b3RoZXItc2VjcmV0";
  BOOST_TEST(
      (refused(signed_request("msg_1", prediction("p1", "starting"), rotated))
           .code
       == errc::unauthorized));
  caf::anon_send(receiver, reload_atom::value, config(rotated));
  sched->run();
  BOOST_TEST(
      accepted(signed_request("msg_2", prediction("p1", "starting"), rotated))
          .created);
  // The old secret no longer passes, and nothing was fetched.
  BOOST_TEST(
      (refused(signed_request("msg_3", prediction("p2", "starting"))).code
       == errc::unauthorized));
  BOOST_TEST(source->asked == 0);
  // A reload that allows unsigned deliveries takes effect too.
  auto open = config(rotated);
  open.allow_unsigned = true;
  caf::anon_send(receiver, reload_atom::value, open);
  sched->run();
  webhook_request r;
  r.body = prediction("p3", "starting");
  r.id = "msg_4";
  r.remote_address = "10.0.0.1";
  BOOST_TEST(accepted(r).created);
}

BOOST_AUTO_TEST_CASE(unsigned_deliveries_pass_only_when_allowed) {
  webhook_request r;
  r.body = prediction("p1", "starting");
  r.id = "msg_1";
  r.remote_address = "10.0.0.1";
  {
    spawn_receiver(config());
    BOOST_TEST((refused(r).code == errc::unauthorized));
    caf::anon_send_exit(receiver, caf::exit_reason::user_shutdown);
    sched->run();
  }
  auto c = config();
  c.allow_unsigned = true;
  spawn_receiver(c);
  BOOST_TEST(accepted(r).created);
  // The id still deduplicates.
  BOOST_TEST(accepted(r).duplicate);
  // A signature that is present is still checked.
  auto bad = signed_request("msg_2", prediction("p2", "starting"),
                            "whsec_b3RoZXItc2VjcmV0");
  BOOST_TEST((refused(bad).code == errc::unauthorized));
}

BOOST_AUTO_TEST_CASE(bodies_that_are_not_jobs_are_bad_requests) {
  spawn_receiver(config());
  for (std::string body :
       {"{\"id\":", "[1,2]", "{\"test\": 2432232314}", "{\"id\":\"p1\"}"}) {
    auto x = refused(signed_request("msg_x", body));
    BOOST_TEST((x.code == errc::bad_request), body);
    BOOST_TEST(x.detail.find("not a prediction or training object")
                   != std::string::npos,
               x.detail);
  }
  auto long_id
      = signed_request(std::string(300, 'm'), prediction("p1", "starting"));
  BOOST_TEST((refused(long_id).code == errc::bad_request));
  auto long_job
      = signed_request("msg_y", prediction(std::string(300, 'p'), "starting"));
  BOOST_TEST((refused(long_job).code == errc::bad_request));
  auto not_utf8 = signed_request("msg_z", prediction("p\xc0\xaf", "starting"));
  auto f = refused(not_utf8);
  BOOST_TEST((f.code == errc::bad_request));
  BOOST_TEST(f.detail.find("UTF-8") != std::string::npos, f.detail);
  BOOST_TEST(events->empty());
}

// The longest ids accepted make the longest keys the store writes (a
// webhook id is kept with its job's id): they are stored, and found again.
BOOST_AUTO_TEST_CASE(the_longest_ids_accepted_are_stored) {
  spawn_receiver(config());
  auto job = std::string(256, 'p');
  auto msg = std::string(128, 'm');
  auto first = accepted(signed_request(msg, prediction(job, "starting")));
  BOOST_TEST(first.created);
  auto again = accepted(signed_request(msg, prediction(job, "starting")));
  BOOST_TEST(again.duplicate);
  auto too_long = refused(
      signed_request(std::string(129, 'm'), prediction(job, "processing")));
  BOOST_TEST((too_long.code == errc::bad_request));
  BOOST_TEST(too_long.detail.find("at most 128") != std::string::npos,
             too_long.detail);
}

BOOST_AUTO_TEST_CASE(a_refusal_keeps_its_retry_after_through_an_error) {
  auto x = from_error(to_error(
      failure{errc::rate_limited, "slow down", std::chrono::seconds{42}}));
  BOOST_TEST((x.code == errc::rate_limited));
  BOOST_TEST(x.detail == "slow down");
  BOOST_TEST(retry_seconds(x) == 42);
  auto plain = from_error(make_error(errc::unauthorized, "no"));
  BOOST_TEST(plain.detail == "no");
  BOOST_TEST(retry_seconds(plain) == 0);
}

BOOST_AUTO_TEST_CASE(a_secret_that_is_not_whsec_base64_is_refused_at_start) {
  auto c = config("whsec_***");
  BOOST_TEST(!c.validate());
  c = config();
  c.tolerance = std::chrono::seconds{0};
  BOOST_TEST(!c.validate());
}

BOOST_AUTO_TEST_SUITE_END()
