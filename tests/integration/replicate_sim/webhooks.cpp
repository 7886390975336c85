// Webhook deliveries: events, filters, throttling, signatures and retries
// (tools/replicate-sim/README.md), received by a recording server.

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include "model/standard_webhooks.hpp"
#include "tests/support/recording_server.hpp"

#include <boost/test/unit_test.hpp>

#include <ctime>
#include <set>

using namespace jobsync;
using namespace jobsync::test;

namespace {

std::string signing_key(const sim_process& sim) {
  auto secret
      = str(parse_json(sim.api("GET", "/webhooks/default/secret").body), "key");
  auto key = decode_webhook_secret(secret);
  BOOST_REQUIRE(key.has_value());
  return *key;
}

webhook_verdict verify(const std::string& key, const recorded_request& r) {
  auto header = [&](const char* name) -> std::optional<std::string_view> {
    auto i = r.headers.find(name);
    if (i == r.headers.end())
      return std::nullopt;
    return std::string_view{i->second};
  };
  return verify_webhook(key,
                        {header("webhook-id"), header("webhook-timestamp"),
                         header("webhook-signature")},
                        r.body, std::time(nullptr));
}

std::string status_in(const recorded_request& r) {
  return str(parse_json(r.body), "status");
}

std::string webhook_field(const std::string& url,
                          const std::string& filter = {}) {
  std::string out = R"("webhook":")" + url + "\"";
  if (!filter.empty())
    out += R"(,"webhook_events_filter":)" + filter;
  return out;
}

} // namespace

namespace jobsync {

// Lets BOOST_TEST print verdicts.
std::ostream& operator<<(std::ostream& out, webhook_verdict x) {
  return out << to_string(x);
}

} // namespace jobsync

BOOST_AUTO_TEST_SUITE(webhooks)

BOOST_AUTO_TEST_CASE(start_and_completed_arrive_signed_with_the_secret) {
  sim_process sim;
  recording_server receiver;
  auto id = sim.create_prediction(
      webhook_field(receiver.url(), R"(["start","completed"])"));
  BOOST_REQUIRE(receiver.wait_for(1));
  BOOST_REQUIRE(sim.advance(id, "succeeded") == 200);
  BOOST_REQUIRE(receiver.wait_for(2));
  auto key = signing_key(sim);
  auto got = receiver.requests();
  BOOST_REQUIRE(got.size() == 2u);
  for (auto& r : got) {
    BOOST_TEST(r.method == "POST");
    BOOST_TEST(r.target == "/hook");
    BOOST_TEST(r.headers["content-type"] == "application/json");
    BOOST_TEST(r.headers["webhook-id"].rfind("msg_", 0) == 0u);
    BOOST_TEST(r.headers["webhook-signature"].rfind("v1,", 0) == 0u);
    BOOST_TEST(verify(key, r) == webhook_verdict::ok);
    auto body = parse_json(r.body);
    BOOST_TEST(str(body, "id") == id);
    BOOST_TEST(str(body, "webhook") == receiver.url());
    BOOST_TEST(text_of(body, "webhook_events_filter")
               == R"(["start","completed"])");
  }
  BOOST_TEST(status_in(got[0]) == "starting");
  BOOST_TEST(status_in(got[1]) == "succeeded");
  BOOST_TEST(got[0].headers["webhook-id"] != got[1].headers["webhook-id"]);
  // The completed body is the object a GET returns.
  BOOST_TEST(got[1].body == sim.api("GET", "/predictions/" + id).body);
  // A tampered body does not verify.
  auto tampered = got[1];
  tampered.body[10] ^= 1;
  BOOST_TEST(verify(key, tampered) == webhook_verdict::no_match);
}

BOOST_AUTO_TEST_CASE(the_events_filter_selects_what_is_sent) {
  sim_process sim;
  recording_server receiver;
  auto id = sim.create_prediction(
      webhook_field(receiver.url(), R"(["completed"])"));
  sim.advance(id, "processing");
  sim.advance_clock(30);
  BOOST_REQUIRE(sim.advance(id, "failed") == 200);
  BOOST_REQUIRE(receiver.wait_for(1));
  // Once the completed event is out nothing else is pending.
  BOOST_TEST(eventually([&] {
    return parse_json(sim.admin("GET", "/webhooks").body)["pending"].GetUint64()
           == 0;
  }));
  auto got = receiver.requests();
  BOOST_REQUIRE(got.size() == 1u);
  BOOST_TEST(status_in(got[0]) == "failed");
}

BOOST_AUTO_TEST_CASE(logs_and_output_events_come_while_processing) {
  sim_process sim{{"--webhook-throttle-ms", "0"}};
  recording_server receiver;
  auto id = sim.create_jobs(R"({"starting_seconds":1,"processing_seconds":100,)"
                            R"("outcome":"succeeded","webhook":")"
                            + receiver.url() + "\"}")[0];
  // Default filter: all four events. start first.
  BOOST_REQUIRE(receiver.wait_for(1));
  BOOST_TEST(status_in(receiver.requests()[0]) == "starting");
  sim.advance_clock(30);
  BOOST_REQUIRE(receiver.wait_for(2));
  auto logs_event = parse_json(receiver.requests()[1].body);
  BOOST_TEST(str(logs_event, "status") == "processing");
  BOOST_TEST(!str(logs_event, "logs").empty());
  BOOST_TEST(type_of(logs_event, "output") == "null");
  // Near the end the output appears while still processing.
  sim.advance_clock(70);
  BOOST_REQUIRE(receiver.wait_until([](auto& rs) {
    return type_of(parse_json(rs.back().body), "output") == "string";
  }));
  auto output_event = parse_json(receiver.requests().back().body);
  BOOST_TEST(str(output_event, "status") == "processing");
  sim.advance_clock(5);
  BOOST_REQUIRE(receiver.wait_until(
      [](auto& rs) { return status_in(rs.back()) == "succeeded"; }));
  auto got = receiver.requests();
  std::set<std::string> ids;
  for (auto& r : got)
    ids.insert(r.headers["webhook-id"]);
  BOOST_TEST(ids.size() == got.size());
  BOOST_TEST(str(parse_json(got.back().body), "id") == id);
}

BOOST_AUTO_TEST_CASE(logs_events_are_throttled) {
  // A long throttle makes the limit observable without timing: however
  // many times the logs change, one logs event goes out per window.
  sim_process sim{{"--webhook-throttle-ms", "600000"}};
  recording_server receiver;
  auto id = sim.create_jobs(R"({"status":"processing",)"
                            R"("processing_seconds":100,)"
                            R"("webhook_events_filter":["logs","completed"],)"
                            R"("webhook":")"
                            + receiver.url() + "\"}")[0];
  BOOST_REQUIRE(receiver.wait_for(1));
  for (int i = 0; i < 10; ++i)
    sim.advance_clock(5);
  BOOST_REQUIRE(sim.advance(id, "succeeded") == 200);
  BOOST_REQUIRE(receiver.wait_until(
      [](auto& rs) { return status_in(rs.back()) == "succeeded"; }));
  auto got = receiver.requests();
  BOOST_TEST(got.size() == 2u);
  BOOST_TEST(status_in(got[0]) == "processing");
}

// A lost terminal webhook (the receiver then only learns by polling): the
// rule takes the job's next completed message, never sends or retries it,
// and leaves every other message alone.
BOOST_AUTO_TEST_CASE(a_drop_rule_loses_a_jobs_completed_webhook) {
  sim_process sim;
  recording_server receiver;
  auto lost = sim.create_prediction(
      webhook_field(receiver.url(), R"(["start","completed"])"));
  auto kept = sim.create_prediction(
      webhook_field(receiver.url(), R"(["start","completed"])"));
  BOOST_REQUIRE(receiver.wait_for(2));
  auto r = sim.admin("POST", "/webhooks/drops",
                     R"({"job_id":")" + lost + R"(","event":"completed"})");
  BOOST_REQUIRE(r.status == 200);
  BOOST_REQUIRE(sim.advance(lost, "succeeded") == 200);
  BOOST_REQUIRE(sim.advance(kept, "succeeded") == 200);
  BOOST_REQUIRE(receiver.wait_for(3));
  BOOST_TEST(eventually(
      [&] { return sim.stats()["webhooks"]["dropped"].GetUint64() == 1; }));
  BOOST_TEST(sim.admin("GET", "/webhooks").status == 200);
  std::map<std::string, std::vector<std::string>> by_job;
  for (auto& req : receiver.requests())
    by_job[str(parse_json(req.body), "id")].push_back(status_in(req));
  BOOST_TEST(by_job[lost] == std::vector<std::string>{"starting"});
  BOOST_TEST(
      (by_job[kept] == std::vector<std::string>{"starting", "succeeded"}));
  // The job itself finished: a GET shows it.
  BOOST_TEST(str(sim.job(lost), "status") == "succeeded");
  // Bad rules are refused; a cleared rule drops nothing.
  BOOST_TEST(
      sim.admin("POST", "/webhooks/drops", R"({"event":"completed"})").status
      == 400);
  BOOST_TEST(
      sim.admin("POST", "/webhooks/drops", R"({"job_id":"x","event":"done"})")
          .status
      == 400);
  BOOST_TEST(sim.admin("DELETE", "/webhooks/drops").status == 200);
}

BOOST_AUTO_TEST_CASE(completed_is_retried_with_the_same_id_until_accepted) {
  sim_process sim{{"--webhook-retry-initial-ms", "20"}};
  recording_server receiver;
  receiver.script({500, 503, 0, 200});
  auto id = sim.create_prediction(
      webhook_field(receiver.url(), R"(["completed"])"));
  BOOST_REQUIRE(sim.advance(id, "canceled") == 200);
  BOOST_REQUIRE(receiver.wait_for(4));
  auto key = signing_key(sim);
  auto got = receiver.requests();
  for (auto& r : got) {
    BOOST_TEST(r.headers["webhook-id"] == got[0].headers["webhook-id"]);
    BOOST_TEST(r.body == got[0].body);
    BOOST_TEST(verify(key, r) == webhook_verdict::ok);
    BOOST_TEST(status_in(r) == "canceled");
  }
  BOOST_TEST(eventually(
      [&] { return sim.stats()["webhooks"]["succeeded"].GetUint64() == 1; }));
  auto w = sim.stats();
  BOOST_TEST(w["webhooks"]["sent"].GetUint64() == 4u);
  BOOST_TEST(w["webhooks"]["failed"].GetUint64() == 3u);
  BOOST_TEST(w["webhooks"]["retried"].GetUint64() == 3u);
  BOOST_TEST(receiver.count() == 4u);
}

BOOST_AUTO_TEST_CASE(retries_stop_after_the_configured_number) {
  sim_process sim{
      {"--webhook-retry-initial-ms", "10", "--webhook-retry-max", "2"}};
  recording_server receiver;
  receiver.answer_with(500);
  auto id = sim.create_prediction(
      webhook_field(receiver.url(), R"(["completed"])"));
  BOOST_REQUIRE(sim.advance(id, "succeeded") == 200);
  BOOST_REQUIRE(receiver.wait_for(3));
  BOOST_TEST(eventually([&] {
    return parse_json(sim.admin("GET", "/webhooks").body)["pending"].GetUint64()
           == 0;
  }));
  BOOST_TEST(receiver.count() == 3u);
  BOOST_TEST(sim.stats()["webhooks"]["failed"].GetUint64() == 3u);
}

BOOST_AUTO_TEST_CASE(intermediate_events_are_never_retried) {
  sim_process sim{{"--webhook-retry-initial-ms", "10"}};
  recording_server receiver;
  receiver.answer_with(500);
  sim.create_prediction(webhook_field(receiver.url(), R"(["start"])"));
  BOOST_REQUIRE(receiver.wait_for(1));
  BOOST_TEST(eventually([&] {
    return parse_json(sim.admin("GET", "/webhooks").body)["pending"].GetUint64()
           == 0;
  }));
  BOOST_TEST(receiver.count() == 1u);
  auto s = sim.stats();
  BOOST_TEST(s["webhooks"]["failed"].GetUint64() == 1u);
  BOOST_TEST(s["webhooks"]["retried"].GetUint64() == 0u);
}

BOOST_AUTO_TEST_CASE(an_unreachable_receiver_counts_as_failed_attempts) {
  sim_process sim{
      {"--webhook-retry-initial-ms", "10", "--webhook-retry-max", "1"}};
  std::string url;
  {
    recording_server gone;
    url = gone.url();
  }
  auto id = sim.create_prediction(webhook_field(url, R"(["completed"])"));
  BOOST_REQUIRE(sim.advance(id, "succeeded") == 200);
  BOOST_TEST(eventually(
      [&] { return sim.stats()["webhooks"]["failed"].GetUint64() == 2; }));
  auto recent = parse_json(sim.admin("GET", "/webhooks").body);
  BOOST_REQUIRE(recent["attempts"].Size() == 2u);
  BOOST_TEST(recent["attempts"][0]["status"].GetInt() == 0);
  BOOST_TEST(!str(recent["attempts"][0], "error").empty());
}

BOOST_AUTO_TEST_CASE(admin_created_jobs_and_trainings_send_webhooks_too) {
  sim_process sim;
  recording_server receiver;
  auto ids = sim.create_jobs(R"({"count":3,"collection":"trainings",)"
                             R"("status":"succeeded",)"
                             R"("webhook_events_filter":["completed"],)"
                             R"("webhook":")"
                             + receiver.url() + "\"}");
  BOOST_REQUIRE(receiver.wait_for(3));
  std::set<std::string> seen;
  for (auto& r : receiver.requests()) {
    auto body = parse_json(r.body);
    BOOST_TEST(str(body, "status") == "succeeded");
    BOOST_TEST(type_of(body, "output") == "object");
    seen.insert(str(body, "id"));
  }
  BOOST_TEST((seen == std::set<std::string>(ids.begin(), ids.end())));
}

BOOST_AUTO_TEST_CASE(a_custom_secret_signs_and_is_served) {
  std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  sim_process sim{{"--webhook-secret", secret}};
  recording_server receiver;
  BOOST_TEST(
      str(parse_json(sim.api("GET", "/webhooks/default/secret").body), "key")
      == secret);
  sim.create_prediction(webhook_field(receiver.url(), R"(["start"])"));
  BOOST_REQUIRE(receiver.wait_for(1));
  BOOST_TEST(verify(*decode_webhook_secret(secret), receiver.requests()[0])
             == webhook_verdict::ok);
}

BOOST_AUTO_TEST_SUITE_END()
