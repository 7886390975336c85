// SimpleTuner trainers' reports, replayed by trainer-sim against the real
// jobsyncd: a whole run, a crash, a run that just stops, authentication,
// odd bodies, and a burst while a thousand subscribers listen.

#include "tests/integration/local_runs/local_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

// The key trainer-sim puts into training_complete's data.state.args.
const std::string fake_callback_key = "st_FAKEfakeFAKEfakeFAKEfakeFAKEfake";

// The events of one job on a stream, in order.
std::vector<local_change> changes_of(const sse_stream& s,
                                     const std::string& id) {
  std::vector<local_change> out;
  for (const auto& e : s.events()) {
    auto c = parse_local_change(e);
    if (c.job_id == id)
      out.push_back(c);
  }
  return out;
}

// Width of a PNG file (IHDR).
uint32_t png_width(const std::string& png) {
  BOOST_REQUIRE(png.size() > 24);
  uint32_t w = 0;
  for (int i = 16; i < 20; ++i)
    w = w << 8 | static_cast<unsigned char>(png[i]);
  return w;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(trainer_runs, local_fixture)

BOOST_AUTO_TEST_CASE(a_full_run_ends_completed_at_100_with_its_image) {
  start();
  auto stream = subscribe();
  auto image_path = dir.path() + "/sent.png";
  auto run = replay({"--job-id", "full0001", "--save-image", image_path});
  BOOST_TEST(run.exit_code == 0, run.output);
  BOOST_TEST(run.reports >= 50u);
  BOOST_TEST(run.acknowledged == run.reports);

  auto x = job("full0001");
  BOOST_TEST(std::string{x["status"].GetString()} == "completed");
  BOOST_TEST(std::string{x["job_type"].GetString()} == "local");
  BOOST_TEST(std::string{x["provider"].GetString()} == "local");
  BOOST_TEST(x["error_message"].IsNull());
  BOOST_TEST(x["completed_at"].IsString());
  BOOST_TEST(std::string{x["metadata"]["checkpoint_path"].GetString()}
             == "/out/checkpoint-12");

  // One event per status change: the creation and the completion, which
  // carries the final progress. A later report of another job is the
  // marker that nothing else about this one is on its way.
  BOOST_TEST(report(R"({"type": "notification", "job_id": "marker"})").status
             == 200);
  BOOST_REQUIRE(
      stream->wait_for([&] { return !changes_of(*stream, "marker").empty(); }));
  auto changes = changes_of(*stream, "full0001");
  BOOST_REQUIRE(changes.size() == 2u);
  BOOST_TEST(changes[0].status == "running");
  BOOST_TEST(changes[0].previous_status.empty());
  BOOST_TEST(changes[0].provider == "local");
  BOOST_TEST(changes[1].status == "completed");
  BOOST_TEST(changes[1].previous_status == "running");
  BOOST_REQUIRE(changes[1].progress);
  BOOST_TEST(*changes[1].progress == 100.0);

  // The newest validation image, byte for byte, with a strong ETag.
  auto url = server->url("/api/cloud/jobs/full0001/validation/latest");
  auto img = http_get(url);
  BOOST_TEST(img.status == 200);
  BOOST_TEST(img.headers["content-type"] == "image/png");
  BOOST_TEST(img.body == read_file(image_path));
  auto etag = img.headers["etag"];
  BOOST_TEST(etag.size() > 2u);
  BOOST_TEST(etag.front() == '"');
  auto again = http_get(url, {{"If-None-Match", etag}});
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());

  // The stored log: notifications and log lines, the twice-sent
  // configuration notification once.
  auto logs = get_json("/api/cloud/jobs/full0001/logs");
  std::string text = logs["logs"].GetString();
  BOOST_TEST(std::string{logs["source"].GetString()} == "stored_tail");
  BOOST_TEST(text.find("SimpleTuner has launched") != std::string::npos);
  auto config_line = text.find("Training configuration initialized");
  BOOST_TEST(config_line != std::string::npos);
  BOOST_TEST(text.find("Training configuration initialized", config_line + 1)
             == std::string::npos);
  // A finished job has no inline progress (API rule).
  auto inline_answer = get_json("/api/cloud/jobs/full0001/inline-progress");
  BOOST_TEST(inline_answer["progress"].IsNull());

  // The callback key the completion carried is nowhere: not in the API,
  // not in the store's file.
  auto job_text = http_get(server->url("/api/cloud/jobs/full0001")).body;
  BOOST_TEST(job_text.find(fake_callback_key) == std::string::npos);
  BOOST_TEST(text.find(fake_callback_key) == std::string::npos);
  server->stop();
  BOOST_TEST(read_file(dir.path() + "/data/data.mdb").find(fake_callback_key)
             == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_crash_ends_failed_with_the_error_text) {
  start();
  auto run = replay({"--job-id", "crash001", "--scenario", "crash"});
  BOOST_TEST(run.exit_code == 0, run.output);
  auto x = job("crash001");
  BOOST_TEST(std::string{x["status"].GetString()} == "failed");
  std::string error = x["error_message"].GetString();
  BOOST_TEST(error.rfind("Training failed: RuntimeError: CUDA out of memory", 0)
                 == 0,
             error);
  BOOST_TEST(error.find("Traceback (most recent call last)")
                 != std::string::npos,
             error);
  auto logs = get_json("/api/cloud/jobs/crash001/logs");
  BOOST_TEST(std::string{logs["logs"].GetString()}.find(
                 "Training failed: RuntimeError")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_run_that_stops_stays_running_within_the_timeout) {
  // Nothing tells jobsync at once that a killed trainer is gone; until the
  // silence timeout (30 minutes by default) the job keeps what it last
  // heard, which inline-progress shows.
  start();
  auto run = replay({"--job-id", "kill0001", "--scenario", "killed"});
  BOOST_TEST(run.exit_code == 0, run.output);
  BOOST_TEST(status_of("kill0001") == "running");
  auto p = get_json("/api/cloud/jobs/kill0001/inline-progress");
  BOOST_TEST(std::string{p["stage"].GetString()} == "Training");
  BOOST_TEST(p["progress"].GetDouble() == 33.3);
  BOOST_TEST(p["step"].GetInt64() == 4);
  BOOST_TEST(p["total_steps"].GetInt64() == 12);
  BOOST_TEST(p["eta_seconds"].GetDouble() == 12.0);
  BOOST_TEST(p["loss"].IsNumber());
  BOOST_TEST(p["learning_rate"].GetDouble() < 0.0001);
  BOOST_TEST(std::string{p["last_log"].GetString()}
             == "Training configuration initialized");
}

BOOST_AUTO_TEST_CASE(a_killed_run_fails_after_the_silence_timeout) {
  // The shortest timeout: the liveness check runs every second.
  start({"providers.local.silence_timeout_seconds=1"});
  auto stream = subscribe("/api/events?job_id=kill0002");
  auto run = replay({"--job-id", "kill0002", "--scenario", "killed"});
  BOOST_TEST(run.exit_code == 0, run.output);
  BOOST_REQUIRE(eventually([&] { return status_of("kill0002") == "failed"; }));
  auto x = job("kill0002");
  std::string error = x["error_message"].GetString();
  BOOST_TEST(error.rfind("No report from the trainer since 20", 0) == 0, error);
  BOOST_TEST(x["completed_at"].IsString());
  // One event per status change: the creation, then the failure.
  BOOST_REQUIRE(stream->wait_events(2));
  auto changes = changes_of(*stream, "kill0002");
  BOOST_TEST_REQUIRE(changes.size() == 2u);
  BOOST_TEST(changes[0].status == "running");
  BOOST_TEST(changes[1].status == "failed");
  BOOST_TEST(changes[1].previous_status == "running");
  // The liveness check is the local provider's poller.
  auto polling = get_json("/api/cloud/polling/status");
  const rapidjson::Value* local = nullptr;
  for (const auto& p : polling["providers"].GetArray())
    if (std::string{p["provider"].GetString()} == "local")
      local = &p;
  BOOST_REQUIRE_MESSAGE(local, "no local poller in the polling status");
  BOOST_TEST((*local)["enabled"].GetBool());
  BOOST_TEST((*local)["interval_seconds"].GetInt() == 1);
  BOOST_TEST((*local)["cycles"].GetUint64() >= 1u);
  BOOST_TEST((*local)["jobs_lost"].GetUint64() == 1u);
  // And on /metrics, with the local runs' series.
  auto metrics = http_get(server->url("/metrics")).body;
  for (const char* line :
       {"jobsync_poller_jobs_lost_total{provider=\"local\"} 1",
        "jobsync_jobs{job_type=\"local\",provider=\"local\",status="
        "\"failed\"} 1",
        "jobsync_trainer_reports_total "})
    BOOST_TEST(metrics.find(line) != std::string::npos, line);
  // A later report does not revive it: failed is final.
  BOOST_TEST(report(R"({"type": "training.status", "job_id": "kill0002", )"
                    R"("progress": {"current": 5, "total": 12}})")
                 .status
             == 200);
  BOOST_TEST(status_of("kill0002") == "failed");
}

BOOST_AUTO_TEST_CASE(local_runs_are_a_provider_in_lists_and_figures) {
  start();
  auto run
      = replay({"--job-id", "list0001", "--scenario", "burst", "--steps", "2"});
  BOOST_TEST(run.exit_code == 0, run.output);
  for (const char* query : {"provider=local", "job_type=local"}) {
    auto page = get_json(std::string{"/api/cloud/jobs?"} + query);
    BOOST_TEST(page["total"].GetUint64() == 1u, query);
    BOOST_TEST(std::string{page["jobs"][0]["job_id"].GetString()} == "list0001",
               query);
  }
  for (const char* query : {"provider=replicate", "job_type=cloud"})
    BOOST_TEST(
        get_json(std::string{"/api/cloud/jobs?"} + query)["total"].GetUint64()
            == 0u,
        query);
  auto metrics = get_json("/api/cloud/metrics?days=1");
  BOOST_TEST(metrics["cost_by_day"][0]["local_jobs"].GetUint64() == 1u);
  // A report without a job id is counted on /metrics.
  BOOST_TEST(report(R"({"type": "notification", "message": "hello"})").status
             == 200);
  auto text = http_get(server->url("/metrics")).body;
  BOOST_TEST(text.find("jobsync_trainer_reports_unattributed_total 1")
                 != std::string::npos,
             text);
  // The writer's figures: every report was committed, so there were
  // commits, each carrying at least one request, and they took time.
  auto sample = [&](const std::string& name) {
    auto at = text.find("\n" + name + " ");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "no sample of " << name);
    return std::stod(text.substr(at + name.size() + 2));
  };
  auto commits = sample("jobsync_store_commits_total");
  auto requests = sample("jobsync_store_committed_requests_total");
  auto busy = sample("jobsync_store_writer_busy_seconds_total");
  auto committing = sample("jobsync_store_commit_seconds_total");
  BOOST_TEST(commits >= 1.0);
  BOOST_TEST(requests >= commits);
  BOOST_TEST(committing > 0.0);
  BOOST_TEST(busy > committing);
}

BOOST_AUTO_TEST_CASE(a_wrong_api_key_is_401_and_changes_nothing) {
  start({"providers.local.api_key=the-right-key"});
  auto stream = subscribe();
  auto wrong = replay({"--job-id", "auth0001", "--api-key", "a-wrong-key"});
  BOOST_TEST(wrong.exit_code == 1);
  BOOST_TEST(wrong.refused == wrong.reports);
  auto r = report(R"({"type": "notification", "job_id": "auth0001"})",
                  {{"X-API-Key", "a-wrong-key"}});
  check_error(r, 401, "unauthorized");
  check_error(report(R"({"type": "notification", "job_id": "auth0001"})"), 401,
              "unauthorized", "X-API-Key");
  BOOST_TEST(total_jobs() == 0u);
  BOOST_TEST(job_status_code("auth0001") == 404);
  // The right key is taken, and its creation is the stream's first event.
  auto right = replay({"--job-id", "auth0002", "--api-key", "the-right-key",
                       "--scenario", "burst", "--steps", "3"});
  BOOST_TEST(right.exit_code == 0, right.output);
  BOOST_TEST(status_of("auth0002") == "running");
  BOOST_REQUIRE(stream->wait_events(1));
  BOOST_TEST(parse_local_change(stream->events()[0]).job_id == "auth0002");
}

BOOST_AUTO_TEST_CASE(reports_without_a_job_id_are_acknowledged_and_kept_apart) {
  start();
  auto mine
      = replay({"--job-id", "mine0001", "--scenario", "burst", "--steps", "2"});
  BOOST_TEST(mine.exit_code == 0);
  auto before = get_json("/api/cloud/jobs/mine0001/inline-progress");
  auto anonymous = replay({"--no-job-id", "--scenario", "crash"});
  BOOST_TEST(anonymous.exit_code == 0, anonymous.output);
  BOOST_TEST(anonymous.acknowledged == anonymous.reports);
  // No job was created, and the other run did not become "current".
  BOOST_TEST(total_jobs() == 1u);
  BOOST_TEST(status_of("mine0001") == "running");
  auto after = get_json("/api/cloud/jobs/mine0001/inline-progress");
  BOOST_TEST(after["step"].GetInt64() == before["step"].GetInt64());
  BOOST_TEST(after["last_log"].IsNull());
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_an_object_is_400_and_changes_nothing) {
  start();
  for (std::string body :
       {"", "[{\"job_id\": \"x\"}]", "{\"job_id\": ", "\"training.status\""})
    check_error(report(body), 400, "bad_request");
  BOOST_TEST(total_jobs() == 0u);
}

BOOST_AUTO_TEST_CASE(reports_over_the_local_body_limit_are_413) {
  start({"providers.local.max_body_bytes=200000"});
  std::string big = R"({"type": "notification", "job_id": "big00001",)"
                    R"( "message": ")"
                    + std::string(300000, 'x') + R"("})";
  check_error(report(big), 413, "payload_too_large", "200000");
  BOOST_TEST(total_jobs() == 0u);
}

BOOST_AUTO_TEST_CASE(reports_larger_than_other_requests_may_be_are_taken) {
  // A 700x700 validation image is about 2 MB of base64: over
  // server.max_body_bytes (1 MiB), within the route's own 32 MiB.
  start();
  auto run = replay({"--job-id", "large001", "--steps", "2",
                     "--checkpoint-every", "2", "--image-size", "700"});
  BOOST_TEST(run.exit_code == 0, run.output);
  auto img
      = http_get(server->url("/api/cloud/jobs/large001/validation/latest"));
  BOOST_TEST(img.status == 200);
  BOOST_TEST(img.body.size() > (size_t{1} << 20));
  BOOST_TEST(png_width(img.body) == 700u);
  // Other routes keep the server's limit.
  check_error(http_request("POST", server->url("/api/cloud/jobs/sync"),
                           std::string((size_t{1} << 20) + 1, ' ')),
              413, "payload_too_large");
}

BOOST_AUTO_TEST_CASE(images_too_large_to_keep_are_skipped_not_refused) {
  start({"providers.local.max_image_bytes=100000"});
  auto run = replay({"--job-id", "skip0001", "--steps", "2",
                     "--checkpoint-every", "2", "--image-size", "256"});
  BOOST_TEST(run.exit_code == 0, run.output);
  BOOST_TEST(status_of("skip0001") == "completed");
  check_error(
      http_get(server->url("/api/cloud/jobs/skip0001/validation/latest")), 404,
      "not_found");
  check_error(http_get(server->url("/api/cloud/jobs/nobody/validation/latest")),
              404, "job_not_found");
}

BOOST_AUTO_TEST_CASE(local_runs_survive_a_restart) {
  start();
  auto run = replay(
      {"--job-id", "keep0001", "--steps", "2", "--checkpoint-every", "2"});
  BOOST_TEST(run.exit_code == 0);
  auto url = "/api/cloud/jobs/keep0001/validation/latest";
  auto before = http_get(server->url(url));
  BOOST_TEST(before.status == 200);
  BOOST_TEST(server->stop() == 0);
  start();
  BOOST_TEST(status_of("keep0001") == "completed");
  auto after = http_get(server->url(url));
  BOOST_TEST(after.status == 200);
  BOOST_TEST(after.headers["etag"] == before.headers["etag"]);
  BOOST_TEST(after.body == before.body);
}

BOOST_AUTO_TEST_CASE(the_receiver_can_be_switched_off) {
  start({"providers.local.enabled=false"});
  check_error(report(R"({"type": "notification", "job_id": "off00001"})"), 404,
              "not_found");
}

BOOST_AUTO_TEST_CASE(
    a_burst_is_acknowledged_while_a_thousand_subscribers_listen) {
  constexpr size_t subscribers = 1000;
  start({"events.max_connections_per_address=1001"});
  auto crowd = open_streams(server->port(), "/api/events", subscribers);
  const auto& all = crowd.all;
  BOOST_REQUIRE(wait_subscribed(all));
  // The training loop at full speed: ten step reports back to back, each
  // on a new connection, each waited for. The first creates the job: one
  // event to every subscriber.
  auto run = replay(
      {"--job-id", "burst001", "--scenario", "burst", "--steps", "10"});
  BOOST_TEST(run.exit_code == 0, run.output);
  BOOST_TEST(run.reports == 10u);
  // The trainer gives up on a report after 5 s, so every report answered
  // is one answered in time; how fast is the bench's question, not this
  // test's.
  BOOST_TEST(run.acknowledged == 10u);
  BOOST_TEST_MESSAGE("10 step reports with "
                     << subscribers << " subscribers: p99 " << run.p99_ms
                     << " ms");
  BOOST_REQUIRE(wait_all(all, [&] {
    for (auto* s : all)
      if (s->events().empty())
        return false;
    return true;
  }));
  for (auto* s : all)
    BOOST_TEST(parse_local_change(s->events()[0]).job_id == "burst001");
  auto p = get_json("/api/cloud/jobs/burst001/inline-progress");
  BOOST_TEST(p["step"].GetInt64() == 10);
}

BOOST_AUTO_TEST_SUITE_END()
