// Job lifecycle on the virtual clock and through the admin API
// (tools/replicate-sim/README.md).

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include "model/timestamp.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::test;

namespace {

std::string status_of(const sim_process& sim, const std::string& id) {
  return str(parse_json(sim.api("GET", "/predictions/" + id).body), "status");
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + 1))
    ++n;
  return n;
}

} // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(the_clock_moves_a_job_through_its_states) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"starting_seconds":10,)"
                            R"("processing_seconds":100,)"
                            R"("outcome":"succeeded"})")
                .front();
  BOOST_TEST(status_of(sim, id) == "starting");
  sim.advance_clock(9.5);
  BOOST_TEST(status_of(sim, id) == "starting");
  sim.advance_clock(1);
  auto j = sim.job(id);
  BOOST_TEST(str(j, "status") == "processing");
  auto created = parse_rfc3339(str(j, "created_at"));
  auto started = parse_rfc3339(str(j, "started_at"));
  BOOST_REQUIRE(created && started);
  BOOST_TEST(*started - *created >= 9999);
  BOOST_TEST(*started - *created <= 10000);
  BOOST_TEST(type_of(j, "output") == "null");
  sim.advance_clock(100);
  j = sim.job(id);
  BOOST_TEST(str(j, "status") == "succeeded");
  auto completed = parse_rfc3339(str(j, "completed_at"));
  BOOST_REQUIRE(completed);
  BOOST_TEST(*completed - *started >= 99999);
  BOOST_TEST(*completed - *started <= 100000);
  BOOST_TEST(j["metrics"]["predict_time"].GetDouble() > 99.9);
  BOOST_TEST(j["metrics"]["predict_time"].GetDouble() < 100.1);
  BOOST_TEST(j["metrics"]["total_time"].GetDouble() > 109.9);
  BOOST_TEST(str(j, "output").rfind("https://replicate.delivery/", 0) == 0u);
  BOOST_TEST(str(j, "logs").find("Training complete") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_succeeding_prediction_shows_output_just_before_the_end) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"starting_seconds":1,"processing_seconds":100,)"
                            R"("outcome":"succeeded"})")[0];
  sim.advance_clock(1 + 99);
  auto j = sim.job(id);
  BOOST_TEST(str(j, "status") == "processing");
  BOOST_TEST(type_of(j, "output") == "string");
}

BOOST_AUTO_TEST_CASE(failed_jobs_carry_an_error_and_a_traceback) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"starting_seconds":1,"processing_seconds":50,)"
                            R"("outcome":"failed"})")[0];
  sim.advance_clock(60);
  auto j = sim.job(id);
  BOOST_TEST(str(j, "status") == "failed");
  auto error = str(j, "error");
  BOOST_TEST(!error.empty());
  auto logs = str(j, "logs");
  BOOST_TEST(logs.find("Traceback (most recent call last):")
             != std::string::npos);
  BOOST_TEST(logs.find(error) != std::string::npos);
  BOOST_TEST(type_of(j, "output") == "null");
  // It failed part-way: the last step never ran.
  BOOST_TEST(logs.find("Step 1000/1000") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(api_created_jobs_follow_the_schedule_flags) {
  sim_process sim{{"--starting-seconds", "5", "--processing-seconds", "20",
                   "--jitter", "0", "--failure-rate", "0", "--cancel-rate",
                   "0"}};
  auto id = sim.create_prediction();
  sim.advance_clock(5.01);
  BOOST_TEST(status_of(sim, id) == "processing");
  sim.advance_clock(20);
  BOOST_TEST(status_of(sim, id) == "succeeded");
}

BOOST_AUTO_TEST_CASE(admin_advance_forces_transitions_and_sets_timestamps) {
  sim_process sim;
  auto ids = sim.create_jobs(R"({"count":2,"status":"starting"})");
  auto id = ids[0];
  // A held job does not start on its own.
  sim.advance_clock(100000);
  BOOST_TEST(status_of(sim, id) == "starting");
  auto r
      = sim.admin("POST", "/jobs/" + id + "/advance", R"({"to":"processing"})");
  BOOST_REQUIRE(r.status == 200);
  auto j = parse_json(r.body);
  BOOST_TEST(str(j, "status") == "processing");
  BOOST_TEST(type_of(j, "started_at") == "string");
  BOOST_TEST(sim.advance(id, "processing") == 409);
  // Still held: processing does not end on its own either.
  sim.advance_clock(100000);
  BOOST_TEST(status_of(sim, id) == "processing");
  BOOST_TEST(sim.advance(id, "succeeded") == 200);
  j = sim.job(id);
  BOOST_TEST(str(j, "status") == "succeeded");
  BOOST_TEST(type_of(j, "completed_at") == "string");
  BOOST_TEST(sim.advance(id, "failed") == 409);
  BOOST_TEST(sim.advance(id, "canceled") == 409);
  // Aborting a job that never started leaves started_at null.
  BOOST_TEST(sim.advance(ids[1], "aborted") == 200);
  j = sim.job(ids[1]);
  BOOST_TEST(str(j, "status") == "aborted");
  BOOST_TEST(type_of(j, "started_at") == "null");
  BOOST_TEST(type_of(j, "completed_at") == "string");
}

BOOST_AUTO_TEST_CASE(a_fixed_processing_status_holds_until_advanced) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"status":"processing",)"
                            R"("processing_seconds":10,"outcome":"succeeded"})")
                .front();
  sim.advance_clock(1000);
  auto j = sim.job(id);
  BOOST_TEST(str(j, "status") == "processing");
  // The logs of a held job never show the final step.
  BOOST_TEST(str(j, "logs").find("Step 1000/1000") == std::string::npos);
  BOOST_TEST(str(j, "logs").find("Step 980/1000") != std::string::npos);
  BOOST_TEST(sim.advance(id, "failed") == 200);
  BOOST_TEST(status_of(sim, id) == "failed");
}

BOOST_AUTO_TEST_CASE(cancel_stops_a_job_and_answers_finished_jobs_unchanged) {
  sim_process sim;
  auto id = sim.create_prediction();
  auto r = sim.api("POST", "/predictions/" + id + "/cancel");
  BOOST_REQUIRE(r.status == 200);
  auto j = parse_json(r.body);
  BOOST_TEST(str(j, "status") == "canceled");
  // Canceled straight from starting: both timestamps, tiny predict_time.
  BOOST_TEST(type_of(j, "started_at") == "string");
  BOOST_TEST(type_of(j, "completed_at") == "string");
  BOOST_TEST(j["metrics"]["predict_time"].GetDouble() < 0.001);
  sim.advance_clock(50);
  auto again = sim.api("POST", "/predictions/" + id + "/cancel");
  BOOST_TEST(again.status == 200);
  BOOST_TEST(again.body == r.body);
  auto done = sim.create_jobs(R"({"status":"succeeded"})")[0];
  auto c = sim.api("POST", "/predictions/" + done + "/cancel");
  BOOST_TEST(c.status == 200);
  BOOST_TEST(str(parse_json(c.body), "status") == "succeeded");
}

BOOST_AUTO_TEST_CASE(logs_grow_with_processing_time_and_keep_their_prefix) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"starting_seconds":0,)"
                            R"("processing_seconds":1000,)"
                            R"("outcome":"succeeded","steps":1000})")
                .front();
  std::string previous;
  for (int i = 0; i < 13; ++i) {
    sim.advance_clock(80);
    auto logs = str(sim.job(id), "logs");
    BOOST_TEST_CONTEXT("after " << (i + 1) * 80 << " s") {
      BOOST_TEST(logs.size() > previous.size());
      BOOST_TEST(logs.compare(0, previous.size(), previous) == 0);
    }
    previous = logs;
  }
  // Dataset loading, preprocessing, steps, tqdm bars with redraws,
  // validation and checkpoints, and the closing lines.
  for (auto needle :
       {"Downloading dataset archive", "Caching latents: 100%|##########|",
        "***** Running training *****", "Step 500/1000 - loss: 0.",
        "Epoch 5/10, Steps:  50%|#####     | 500/1000 [",
        "Running validation at step 250", "Saving checkpoint at step 500",
        "Training complete in", "Upload complete."})
    BOOST_TEST(previous.find(needle) != std::string::npos, needle);
  BOOST_TEST(previous.find('\r') != std::string::npos);
  BOOST_TEST(count_of(previous, "Step ") >= 50u);
  BOOST_TEST(str(sim.job(id), "status") == "succeeded");
}

BOOST_AUTO_TEST_CASE(appended_logs_land_at_the_end_and_stay_in_order) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"status":"processing",)"
                            R"("processing_seconds":100})")[0];
  sim.advance_clock(20);
  auto r = sim.admin("POST", "/jobs/" + id + "/logs",
                     R"({"append":"custom line 1\n"})");
  BOOST_REQUIRE(r.status == 200);
  auto logs1 = str(parse_json(r.body), "logs");
  BOOST_TEST(logs1.size() >= 14u);
  BOOST_TEST(logs1.substr(logs1.size() - 14) == "custom line 1\n");
  sim.advance_clock(20);
  auto logs2 = str(sim.job(id), "logs");
  BOOST_TEST(logs2.compare(0, logs1.size(), logs1) == 0);
  BOOST_TEST(logs2.size() > logs1.size());
  BOOST_TEST(sim.admin("POST", "/jobs/nope/logs", R"({"append":"x"})").status
             == 404);
}

BOOST_AUTO_TEST_CASE(a_speed_factor_makes_the_clock_run) {
  sim_process sim;
  auto id = sim.create_jobs(R"({"starting_seconds":1,"processing_seconds":1,)"
                            R"("outcome":"succeeded"})")[0];
  auto r = sim.admin("POST", "/clock", R"({"speed":1000})");
  BOOST_REQUIRE(r.status == 200);
  BOOST_TEST(parse_json(r.body)["speed"].GetDouble() == 1000.0);
  BOOST_TEST(eventually([&] { return status_of(sim, id) == "succeeded"; }));
}

BOOST_AUTO_TEST_SUITE_END()
