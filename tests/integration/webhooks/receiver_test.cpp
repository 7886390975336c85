// POST /api/webhooks/replicate against the real jobsyncd: signatures,
// bodies, idempotency, ordering, limits.

#include "tests/integration/webhooks/webhook_fixture.hpp"

#include "storage/job_store.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace jobsync;
using namespace jobsync::test;

namespace {

const std::string log_text_1 = R"(loading data\nStep 100/1000 - loss: 0.5\n)";
const std::string log_text_2
    = R"(loading data\nStep 100/1000 - loss: 0.5\nStep 600/1000 - loss: 0.2\n)";

// Runs `fn` on `n` threads that all start at the same moment.
template <class Fn>
void at_once(int n, Fn fn) {
  std::mutex mtx;
  std::condition_variable cv;
  int ready = 0;
  bool go = false;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock{mtx};
        ++ready;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
      }
      fn(i);
    });
  {
    std::unique_lock<std::mutex> lock{mtx};
    cv.wait(lock, [&] { return ready == n; });
    go = true;
    cv.notify_all();
  }
  for (auto& t : threads)
    t.join();
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhook_receiver)

BOOST_AUTO_TEST_CASE(a_valid_delivery_is_stored_before_its_200) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags()};
  // An unknown job is created: a webhook is a discovery.
  auto r = deliver(server, "msg_start", prediction("p1", "starting"));
  BOOST_TEST(accepted_as(r) == "received");
  auto d = json_of(r);
  BOOST_TEST(std::string{d["job_id"].GetString()} == "p1");
  BOOST_TEST(std::string{d["job_status"].GetString()} == "queued");
  BOOST_TEST(d["created"].GetBool());
  BOOST_TEST(d["changed"].GetBool());
  // Answered after the commit: the very next read sees the job.
  auto job = stored_job(server, "p1");
  BOOST_REQUIRE(job.has_value());
  BOOST_TEST(std::string{(*job)["status"].GetString()} == "queued");
  BOOST_TEST(std::string{(*job)["provider"].GetString()} == "replicate");
  BOOST_TEST(std::string{(*job)["provider_status"].GetString()} == "starting");
  BOOST_TEST(std::string{(*job)["created_at"].GetString()}
             == "2026-11-01T10:00:00.123456Z");
  // Updates of a known job.
  r = deliver(server, "msg_processing",
              prediction("p1", "processing",
                         R"("started_at":"2026-11-01T10:00:05.5Z","logs":")"
                             + log_text_1 + "\""));
  BOOST_TEST(accepted_as(r) == "received");
  BOOST_TEST(!json_of(r)["created"].GetBool());
  BOOST_TEST(json_of(r)["changed"].GetBool());
  job = stored_job(server, "p1");
  BOOST_TEST(std::string{(*job)["status"].GetString()} == "running");
  BOOST_TEST(std::string{(*job)["started_at"].GetString()}
             == "2026-11-01T10:00:05.5Z");
  r = deliver(server, "msg_done",
              prediction("p1", "succeeded",
                         R"("started_at":"2026-11-01T10:00:05.5Z",)"
                         R"("completed_at":"2026-11-01T10:20:05.25Z",)"
                         R"("metrics":{"predict_time":1200.0},)"
                         R"("output":"https://replicate.delivery/x/out.tar")"));
  BOOST_TEST(accepted_as(r) == "received");
  BOOST_TEST(std::string{json_of(r)["job_status"].GetString()} == "completed");
  job = stored_job(server, "p1");
  BOOST_TEST(std::string{(*job)["status"].GetString()} == "completed");
  BOOST_TEST(std::string{(*job)["completed_at"].GetString()}
             == "2026-11-01T10:20:05.25Z");
  BOOST_TEST((*job)["cost_usd"].IsNumber());
  BOOST_TEST(std::string{(*job)["output_url"].GetString()}
             == "https://replicate.delivery/x/out.tar");
  BOOST_TEST(stored_total(server) == 1u);
}

BOOST_AUTO_TEST_CASE(bad_signatures_are_401_and_change_nothing) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags()};
  BOOST_TEST(accepted_as(deliver(server, "msg_0", prediction("p1", "starting")))
             == "received");
  // Every refused delivery would complete p1 and create p2.
  auto done = prediction("p1", "succeeded");
  auto fresh = prediction("p2", "processing");
  struct bad_case {
    std::string name;
    std::string body;
    std::map<std::string, std::string> headers;
    std::string detail;
  };
  std::vector<bad_case> cases;
  {
    auto h = signed_headers("msg_1", prediction("p1", "processing"));
    cases.push_back({"tampered body", done, h, "altered"});
  }
  cases.push_back({"wrong secret", done,
                   signed_headers("msg_2", done, other_secret), "altered"});
  cases.push_back({"wrong secret, unknown job", fresh,
                   signed_headers("msg_3", fresh, other_secret), "altered"});
  for (std::string header :
       {"webhook-id", "webhook-timestamp", "webhook-signature"}) {
    auto h = signed_headers("msg_4", done);
    h.erase(header);
    cases.push_back({"missing " + header, done, h, "missing " + header});
  }
  {
    auto h = signed_headers("msg_5", done);
    h["webhook-timestamp"] = "17e8";
    cases.push_back({"timestamp not an integer", done, h, "malformed"});
  }
  {
    auto h = signed_headers("msg_6", done);
    h["webhook-signature"] = "not-a-signature-list";
    cases.push_back({"signature without version", done, h, "malformed"});
  }
  {
    auto h = signed_headers("msg.7", done);
    cases.push_back({"id with a dot", done, h, "malformed"});
  }
  cases.push_back(
      {"timestamp too old", done,
       signed_headers("msg_8", done, test_secret, unix_now() - 300 - 120),
       "in the past"});
  cases.push_back(
      {"timestamp too new", done,
       signed_headers("msg_9", done, test_secret, unix_now() + 300 + 120),
       "in the future"});
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      check_error(post_webhook(server, c.body, c.headers), 401, "unauthorized",
                  c.detail);
    }
  }
  BOOST_TEST(stored_status(server, "p1") == "queued");
  BOOST_TEST(!stored_job(server, "p2"));
  BOOST_TEST(stored_total(server) == 1u);
  // The refused ids were not remembered: the real deliveries still apply.
  BOOST_TEST(accepted_as(deliver(server, "msg_2", done)) == "received");
  BOOST_TEST(stored_status(server, "p1") == "completed");
}

BOOST_AUTO_TEST_CASE(one_valid_signature_among_several_is_enough) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags()};
  auto body = prediction("p1", "processing");
  auto good = signed_headers("msg_1", body);
  auto stale = signed_headers("msg_1", body, other_secret);
  auto h = good;
  // A rotated-out secret's signature, an unknown version, then the valid
  // one.
  h["webhook-signature"] = stale["webhook-signature"] + " v2,"
                           + good["webhook-signature"].substr(3) + " "
                           + good["webhook-signature"];
  BOOST_TEST(accepted_as(post_webhook(server, body, h)) == "received");
  BOOST_TEST(stored_status(server, "p1") == "running");
  // Unknown versions only: no signature to accept.
  auto other = prediction("p2", "processing");
  auto v2 = signed_headers("msg_2", other);
  v2["webhook-signature"] = "v2," + v2["webhook-signature"].substr(3);
  check_error(post_webhook(server, other, v2), 401, "unauthorized");
  BOOST_TEST(!stored_job(server, "p2"));
}

BOOST_AUTO_TEST_CASE(
    duplicates_change_the_store_once_and_are_all_answered_200) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags()};
  auto body = prediction("p1", "processing");
  BOOST_TEST(accepted_as(deliver(server, "msg_seq", body)) == "received");
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(accepted_as(deliver(server, "msg_seq", body)) == "duplicate");
  // A reused id never applies, whatever its body says.
  auto dup = deliver(server, "msg_seq", prediction("p1", "succeeded"));
  BOOST_TEST(accepted_as(dup) == "duplicate");
  BOOST_TEST(std::string{json_of(dup)["job_status"].GetString()} == "running");
  BOOST_TEST(stored_status(server, "p1") == "running");

  // Concurrent copies of one delivery: exactly one applies.
  const int copies = 8;
  auto concurrent = prediction("p2", "processing");
  auto headers = signed_headers("msg_conc", concurrent);
  std::vector<http_response> answers(copies);
  at_once(copies, [&](int i) {
    answers[i] = post_webhook(server, concurrent, headers);
  });
  int received = 0;
  int duplicates = 0;
  for (auto& a : answers) {
    auto status = accepted_as(a);
    received += status == "received";
    duplicates += status == "duplicate";
  }
  BOOST_TEST(received == 1);
  BOOST_TEST(duplicates == copies - 1);
  BOOST_TEST(stored_status(server, "p2") == "running");
  BOOST_TEST(stored_total(server) == 2u);
}

BOOST_AUTO_TEST_CASE(late_deliveries_never_move_a_job_back) {
  temp_dir dir;
  {
    jobsyncd server{dir.path(), webhook_server_flags()};
    // succeeded arrives before processing (a retry overtook it).
    BOOST_TEST(accepted_as(deliver(
                   server, "msg_done",
                   prediction("p1", "succeeded",
                              R"("completed_at":"2026-11-01T10:20:00Z")")))
               == "received");
    auto late = deliver(server, "msg_late",
                        prediction("p1", "processing",
                                   R"("started_at":"2026-11-01T10:00:07Z")"));
    BOOST_TEST(accepted_as(late) == "received");
    BOOST_TEST(std::string{json_of(late)["job_status"].GetString()}
               == "completed");
    auto job = stored_job(server, "p1");
    BOOST_TEST(std::string{(*job)["status"].GetString()} == "completed");
    // A stale snapshot may only fill what the store lacks.
    BOOST_TEST(std::string{(*job)["started_at"].GetString()}
               == "2026-11-01T10:00:07Z");
    BOOST_TEST(std::string{(*job)["completed_at"].GetString()}
               == "2026-11-01T10:20:00Z");
    // Logs only grow: a shorter log that arrives late is ignored.
    BOOST_TEST(
        accepted_as(deliver(
            server, "msg_logs_long",
            prediction("p2", "processing", R"("logs":")" + log_text_2 + "\"")))
        == "received");
    BOOST_TEST(
        accepted_as(deliver(
            server, "msg_logs_short",
            prediction("p2", "processing", R"("logs":")" + log_text_1 + "\"")))
        == "received");
    BOOST_TEST(server.stop() == 0);
  }
  auto store = storage::job_store::open(
      storage::lmdb_options(dir.path(), size_t{64} << 20));
  BOOST_REQUIRE(store);
  auto txn = (*store)->begin_read();
  BOOST_REQUIRE(txn);
  auto logs = (*txn)->logs("p2");
  BOOST_REQUIRE(logs);
  BOOST_REQUIRE(logs->has_value());
  BOOST_TEST((*logs)->tail.find("Step 600/1000") != std::string::npos);
  BOOST_TEST(*(*logs)->progress.last_log == "Step 600/1000 - loss: 0.2");
}

BOOST_AUTO_TEST_CASE(bodies_that_are_not_predictions_are_400) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags()};
  auto send = [&](const std::string& body) {
    return post_webhook(server, body, signed_headers("msg_x", body));
  };
  check_error(send("{\"id\": \"p1\", \"status\":"), 400, "bad_request",
              "not a prediction or training object");
  check_error(send("not json at all"), 400, "bad_request",
              "not a prediction or training object");
  check_error(send("{\"test\": 2432232314}"), 400, "bad_request", "`id`");
  check_error(send("[{\"id\": \"p1\", \"status\": \"starting\"}]"), 400,
              "bad_request", "not a JSON object");
  check_error(send("{\"id\": \"p1\"}"), 400, "bad_request", "`status`");
  check_error(send("{\"id\": 7, \"status\": \"starting\"}"), 400, "bad_request",
              "`id`");
  BOOST_TEST(stored_total(server) == 0u);
  // The refused id was not remembered.
  BOOST_TEST(accepted_as(deliver(server, "msg_x", prediction("p1", "starting")))
             == "received");
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_413) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags(
                                  {"--set", "server.max_body_bytes=2048"})};
  auto big = prediction("p1", "processing",
                        R"("logs":")" + std::string(4096, 'x') + "\"");
  check_error(post_webhook(server, big, signed_headers("msg_big", big)), 413,
              "payload_too_large");
  BOOST_TEST(!stored_job(server, "p1"));
  BOOST_TEST(
      accepted_as(deliver(server, "msg_small", prediction("p1", "processing")))
      == "received");
}

BOOST_AUTO_TEST_CASE(
    failed_checks_over_the_limit_get_429_while_valid_ones_pass) {
  temp_dir dir;
  jobsyncd server{dir.path(),
                  webhook_server_flags(
                      {"--set", "webhooks.failed_signatures_per_minute=3"})};
  auto body = prediction("p1", "succeeded");
  auto forged = signed_headers("msg_forged", body, other_secret);
  for (int i = 0; i < 3; ++i)
    check_error(post_webhook(server, body, forged), 401, "unauthorized");
  auto limited = post_webhook(server, body, forged);
  check_error(limited, 429, "rate_limited", "Too many failed");
  auto retry = std::stoi(limited.headers["retry-after"]);
  BOOST_TEST(retry >= 1);
  BOOST_TEST(retry <= 60);
  // Missing signatures count as failures too.
  auto unsigned_headers = forged;
  unsigned_headers.erase("webhook-signature");
  check_error(post_webhook(server, body, unsigned_headers), 429,
              "rate_limited");
  // A real delivery from the same address still gets through.
  BOOST_TEST(
      accepted_as(deliver(server, "msg_real", prediction("p1", "processing")))
      == "received");
  BOOST_TEST(stored_status(server, "p1") == "running");
}

BOOST_AUTO_TEST_CASE(the_route_needs_no_api_token) {
  temp_dir dir;
  jobsyncd server{dir.path(),
                  webhook_server_flags({"--set", "server.api_token=t0ken"})};
  BOOST_TEST(accepted_as(deliver(server, "msg_1", prediction("p1", "starting")))
             == "received");
  check_error(http_get(server.url("/api/cloud/jobs")), 401, "unauthorized");
  auto r = http_get(server.url("/api/cloud/jobs/p1"),
                    {{"Authorization", "Bearer t0ken"}});
  BOOST_TEST(r.status == 200);
}

BOOST_AUTO_TEST_CASE(the_secret_is_fetched_from_the_provider_once) {
  replicate_sim sim{{"--speed", "0"}};
  auto secret_answer = http_get(sim.api_base() + "/webhooks/default/secret",
                                {{"Authorization", "Bearer r8_sim_token"}});
  BOOST_REQUIRE(secret_answer.status == 200);
  std::string sim_secret = json_of(secret_answer)["key"].GetString();
  BOOST_REQUIRE(sim.admin("/_admin/stats/reset", "{}").status == 200);
  temp_dir dir;
  jobsyncd server{dir.path(),
                  {"--set", "background.job_status_polling.enabled=false",
                   "--set", "providers.replicate.webhook_secret=", "--set",
                   "providers.replicate.api_base_url=" + sim.api_base(),
                   "--set", "providers.replicate.api_token=r8_sim_token"}};
  auto send = [&](const std::string& id, const std::string& secret) {
    auto body = prediction(id, "starting");
    return post_webhook(server, body,
                        signed_headers("msg_" + id, body, secret));
  };
  BOOST_TEST(accepted_as(send("p1", sim_secret)) == "received");
  BOOST_TEST(accepted_as(send("p2", sim_secret)) == "received");
  check_error(send("p3", test_secret), 401, "unauthorized", "altered");
  auto stats = json_of(http_get(sim.url("/_admin/stats")));
  BOOST_TEST(stats["requests"]["secret"].GetUint64() == 1u);
}

BOOST_AUTO_TEST_CASE(without_any_secret_signed_deliveries_are_refused) {
  temp_dir dir;
  // The provider is unreachable (test.yaml), and no secret is configured.
  jobsyncd server{dir.path(),
                  {"--set", "background.job_status_polling.enabled=false",
                   "--set", "providers.replicate.webhook_secret="}};
  auto body = prediction("p1", "starting");
  check_error(post_webhook(server, body, signed_headers("msg_1", body)), 401,
              "unauthorized", "providers.replicate.webhook_secret");
  check_error(post_webhook(server, body, {}), 401, "unauthorized");
  BOOST_TEST(!stored_job(server, "p1"));
}

BOOST_AUTO_TEST_CASE(unsigned_deliveries_pass_only_when_allowed) {
  temp_dir dir;
  jobsyncd server{dir.path(), webhook_server_flags(
                                  {"--set", "webhooks.allow_unsigned=true"})};
  BOOST_TEST(server.process().wait_for_line("allow_unsigned").has_value());
  auto body = prediction("p1", "starting");
  BOOST_TEST(accepted_as(post_webhook(server, body,
                                      {{"Content-Type", "application/json"},
                                       {"webhook-id", "msg_plain"}}))
             == "received");
  // The id still deduplicates.
  BOOST_TEST(accepted_as(post_webhook(server, prediction("p1", "succeeded"),
                                      {{"webhook-id", "msg_plain"}}))
             == "duplicate");
  // A signature that is present is still checked.
  auto forged = prediction("p1", "succeeded");
  check_error(post_webhook(server, forged,
                           signed_headers("msg_forged", forged, other_secret)),
              401, "unauthorized");
  BOOST_TEST(stored_status(server, "p1") == "queued");
}

BOOST_AUTO_TEST_SUITE_END()
