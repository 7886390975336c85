// jobsync-track against the real jobsyncd: it runs a command as a local
// job, reports how the command ended, and stops it when the job is
// cancelled through jobsync.

#include "tests/integration/local_runs/local_fixture.hpp"

#include <sys/stat.h>

using namespace jobsync;
using namespace jobsync::test;

namespace {

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

struct tracker_fixture : local_fixture {
  /// Starts jobsync-track for `id` with these extra options and the
  /// command.
  std::unique_ptr<child_process> track(const std::string& id,
                                       std::vector<std::string> command,
                                       std::vector<std::string> options = {}) {
    std::vector<std::string> argv{JOBSYNC_TRACK_PATH, "--url", server->url(""),
                                  "--job-id", id};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
    return std::make_unique<child_process>(argv);
  }

  /// Runs jobsync-track to the end; returns its exit code.
  int track_to_end(const std::string& id, std::vector<std::string> command) {
    auto p = track(id, std::move(command));
    auto code = p->wait_exit(std::chrono::seconds(120));
    BOOST_REQUIRE_MESSAGE(code, "jobsync-track did not end:\n" << p->output());
    return *code;
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(jobsync_track, tracker_fixture)

BOOST_AUTO_TEST_CASE(a_failing_command_fails_its_job_with_the_exit_code) {
  start();
  auto seen = dir.path() + "/job-id";
  int code = track_to_end(
      "track001",
      {"sh", "-c", "printf %s \"$SIMPLETUNER_JOB_ID\" > " + seen + "; exit 3"});
  BOOST_TEST(code == 3);
  BOOST_TEST(read_file(seen) == "track001");
  auto x = job("track001");
  BOOST_TEST(std::string{x["status"].GetString()} == "failed");
  BOOST_TEST(std::string{x["error_message"].GetString()}
             == "The training command exited with code 3");
  BOOST_TEST(std::string{x["job_type"].GetString()} == "local");
}

BOOST_AUTO_TEST_CASE(a_command_killed_by_a_signal_fails_its_job) {
  start();
  int code = track_to_end("track002", {"sh", "-c", "kill -KILL $$"});
  BOOST_TEST(code == 128 + 9);
  BOOST_TEST(std::string{job("track002")["error_message"].GetString()}
             == "The training command was killed by signal 9 (SIGKILL)");
}

BOOST_AUTO_TEST_CASE(a_tracked_trainer_run_completes_as_the_trainer_said) {
  start();
  // trainer-sim reads SIMPLETUNER_JOB_ID, as the trainer does.
  int code
      = track_to_end("track003", {TRAINER_SIM_PATH, "--url", callback_url()});
  BOOST_TEST(code == 0);
  auto x = job("track003");
  BOOST_TEST(std::string{x["status"].GetString()} == "completed");
  BOOST_TEST(std::string{x["metadata"]["checkpoint_path"].GetString()}
             == "/out/checkpoint-12");
  std::string logs
      = get_json("/api/cloud/jobs/track003/logs")["logs"].GetString();
  BOOST_TEST(logs.rfind("jobsync-track runs: ", 0) == 0, logs);
  BOOST_TEST(logs.find("SimpleTuner has launched") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_zero_exit_does_not_override_what_the_trainer_reported) {
  start();
  // The trainer reports a crash, yet the command exits 0: failed stands.
  int code = track_to_end("track004", {TRAINER_SIM_PATH, "--url",
                                       callback_url(), "--scenario", "crash"});
  BOOST_TEST(code == 0);
  auto x = job("track004");
  BOOST_TEST(std::string{x["status"].GetString()} == "failed");
  BOOST_TEST(
      std::string{x["error_message"].GetString()}.find("CUDA out of memory")
      != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_cancel_through_jobsync_stops_the_command) {
  start();
  auto ready = dir.path() + "/ready";
  auto stopped = dir.path() + "/stopped";
  auto p = track("track005",
                 {"sh", "-c",
                  "trap 'echo TERM > " + stopped + "; exit 0' TERM; touch "
                      + ready + "; while :; do sleep 0.05; done"});
  BOOST_REQUIRE(eventually([&] { return exists(ready); }));
  BOOST_REQUIRE(eventually([&] { return job_status_code("track005") == 200; }));
  auto r = http_request("POST", server->url("/api/cloud/jobs/track005/cancel"),
                        "{}", {{"Content-Type", "application/json"}});
  BOOST_TEST(r.status == 200, r.body);
  // The answer says that the command was asked to stop.
  auto answer = json_of(r);
  BOOST_TEST(std::string{answer["job"]["status"].GetString()} == "cancelled");
  BOOST_TEST(std::string{answer["job"]["error_message"].GetString()}.find(
                 "jobsync-track was asked to stop the training command")
                 != std::string::npos,
             r.body);
  BOOST_TEST(std::string{answer["job"]["metadata"]["tracked_by"].GetString()}
             == "jobsync-track");
  auto code = p->wait_exit(std::chrono::seconds(60));
  BOOST_REQUIRE_MESSAGE(code, p->output());
  BOOST_TEST(*code == 0, p->output());
  BOOST_TEST(read_file(stopped) == "TERM\n");
  BOOST_TEST(status_of("track005") == "cancelled");
  std::string logs
      = get_json("/api/cloud/jobs/track005/logs")["logs"].GetString();
  BOOST_TEST(logs.find("after the job was cancelled") != std::string::npos,
             logs);
}

BOOST_AUTO_TEST_CASE(
    a_cancel_of_an_untracked_run_says_the_process_was_not_reached) {
  start();
  // A trainer started without jobsync-track: nothing can stop it.
  child_process trainer{{TRAINER_SIM_PATH, "--url", callback_url(), "--job-id",
                         "untrk001", "--scenario", "killed"}};
  BOOST_REQUIRE(trainer.wait_exit(std::chrono::seconds(120)).value_or(-1) == 0);
  BOOST_TEST(!job("untrk001")["metadata"].HasMember("tracked_by"));
  auto r = http_request("POST", server->url("/api/cloud/jobs/untrk001/cancel"),
                        "{}", {{"Content-Type", "application/json"}});
  BOOST_TEST_REQUIRE(r.status == 200, r.body);
  auto answer = json_of(r);
  BOOST_TEST(std::string{answer["job"]["status"].GetString()} == "cancelled");
  BOOST_TEST(std::string{answer["job"]["error_message"].GetString()}.find(
                 "the training process was not reached")
                 != std::string::npos,
             r.body);
  BOOST_TEST(status_of("untrk001") == "cancelled");
}

BOOST_AUTO_TEST_CASE(a_command_that_ignores_sigterm_gets_sigkill) {
  start();
  auto ready = dir.path() + "/ready";
  auto p = track(
      "track006",
      {"sh", "-c",
       "trap '' TERM; touch " + ready + "; while :; do sleep 0.05; done"},
      {"--grace-seconds", "1"});
  BOOST_REQUIRE(eventually([&] { return exists(ready); }));
  BOOST_REQUIRE(eventually([&] { return job_status_code("track006") == 200; }));
  auto r = http_request("POST", server->url("/api/cloud/jobs/track006/cancel"),
                        "{}", {{"Content-Type", "application/json"}});
  BOOST_TEST(r.status == 200, r.body);
  auto code = p->wait_exit(std::chrono::seconds(60));
  BOOST_REQUIRE_MESSAGE(code, p->output());
  BOOST_TEST(*code == 128 + 9);
  BOOST_TEST(p->output().find("grace period: SIGKILL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(usage_errors_and_help) {
  start();
  child_process none{{JOBSYNC_TRACK_PATH, "--url", server->url("")}};
  BOOST_TEST(none.wait_exit().value_or(-1) == 2);
  BOOST_TEST(none.output().find("no command given") != std::string::npos);
  child_process help{{JOBSYNC_TRACK_PATH, "--help"}};
  BOOST_TEST(help.wait_exit().value_or(-1) == 0);
  BOOST_TEST(help.output().find("SIMPLETUNER_JOB_ID") != std::string::npos);
  child_process missing{{JOBSYNC_TRACK_PATH, "--url", server->url(""),
                         "--job-id", "track007", "--", "/nonexistent/trainer"}};
  BOOST_TEST(missing.wait_exit().value_or(-1) == 125);
  BOOST_TEST(std::string{job("track007")["error_message"].GetString()}
             == "The training command exited with code 125");
}

BOOST_AUTO_TEST_SUITE_END()
