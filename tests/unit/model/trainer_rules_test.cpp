// What trainer reports do to a local job: status, progress, stage, log tail
// and error text, per job, including what SimpleTuner's own server misses.

#include "model/standard_webhooks.hpp"
#include "model/trainer_rules.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

namespace {

constexpr unix_ms t0 = 1'787'400'000'000; // 2026-08-22T12:00:00Z

trainer_event report(const std::string& body) {
  auto e = parse_trainer_event(body, {});
  BOOST_REQUIRE_MESSAGE(e, (e ? "" : e.error().detail));
  return std::move(*e);
}

std::string step_body(int step, int total = 10, double loss = 0.5) {
  return R"({"type": "training.status", "job_id": "j", "data": {"status":)"
         R"( "running", "lr": 0.0}, "progress": {"current": )"
         + std::to_string(step) + R"(, "total": )" + std::to_string(total)
         + R"(, "percent": )" + std::to_string(100.0 * step / total)
         + R"(, "eta_seconds": )" + std::to_string((total - step) * 1.5)
         + R"(, "metrics": {"loss": )" + std::to_string(loss)
         + R"(, "learning_rate": 0.0001}}})";
}

const char* complete_body
    = R"({"type": "lifecycle.stage", "job_id": "j", "stage": {"key":)"
      R"( "training_complete", "status": "completed", "progress": {"percent":)"
      R"( 100, "metrics": {"loss": 0.0, "learning_rate": 0.00002}}}})";

// A local job and its record, fed report after report.
struct run {
  job x;
  job_logs logs;
  unix_ms clock = t0;

  run() : x(local_job_from_event(report(R"({"job_id": "j"})"), t0)) {}

  trainer_effect feed(const std::string& body) {
    clock += 1000;
    return apply_trainer_event(x, logs, report(body), 4096, clock);
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(trainer_rules)

BOOST_AUTO_TEST_CASE(the_first_report_makes_a_running_local_job) {
  auto e = report(R"({"type": "notification", "job_id": "3f9c1a2b",)"
                  R"( "timestamp": "2026-08-22T11:59:30.5+00:00"})");
  auto x = local_job_from_event(e, t0);
  BOOST_TEST(x.job_id == "3f9c1a2b");
  BOOST_TEST((x.type == job_type::local));
  BOOST_TEST(*x.provider == "local");
  BOOST_TEST((x.status == job_status::running));
  // The trainer's own time of the report.
  BOOST_TEST(x.created_at == "2026-08-22T11:59:30.500Z");
  BOOST_TEST(*x.started_at == x.created_at);
  BOOST_TEST(x.external_id.empty());
  BOOST_TEST(is_local_run(x));
}

BOOST_AUTO_TEST_CASE(a_trainer_clock_far_off_is_not_believed) {
  auto e = report(R"({"job_id": "j", "timestamp": "1999-01-01T00:00:00Z"})");
  BOOST_TEST(local_job_from_event(e, t0).created_at == format_rfc3339(t0));
  auto none = report(R"({"job_id": "j"})");
  BOOST_TEST(local_job_from_event(none, t0).created_at == format_rfc3339(t0));
}

BOOST_AUTO_TEST_CASE(only_local_runs_of_the_local_provider_take_reports) {
  job cloud;
  cloud.type = job_type::cloud;
  cloud.provider = "replicate";
  BOOST_TEST(!is_local_run(cloud));
  cloud.type = job_type::local;
  BOOST_TEST(!is_local_run(cloud));
  cloud.provider = "local";
  BOOST_TEST(is_local_run(cloud));
}

BOOST_AUTO_TEST_CASE(step_reports_give_the_training_figures) {
  run r;
  auto fx = r.feed(step_body(3));
  BOOST_TEST(!fx.job_changed);
  BOOST_TEST(!fx.status_changed);
  const auto& p = r.logs.progress;
  BOOST_TEST(*p.stage == "Training");
  BOOST_TEST(*p.progress == 30.0);
  BOOST_TEST(*p.step == 3);
  BOOST_TEST(*p.total_steps == 10);
  BOOST_TEST(*p.eta_seconds == 10.5);
  BOOST_TEST(*p.loss == 0.5);
  BOOST_TEST(*p.learning_rate == 0.0001);
  BOOST_TEST(r.logs.updated_at == r.clock);
}

BOOST_AUTO_TEST_CASE(progress_never_goes_back) {
  run r;
  r.feed(step_body(5, 10, 0.25));
  auto before = r.logs.progress;
  // A late or repeated report of an earlier step changes no figure.
  r.feed(step_body(3, 10, 0.75));
  BOOST_TEST((r.logs.progress == before));
  r.feed(step_body(5, 10, 0.25));
  BOOST_TEST((r.logs.progress == before));
  r.feed(step_body(6, 10, 0.2));
  BOOST_TEST(*r.logs.progress.step == 6);
  BOOST_TEST(*r.logs.progress.loss == 0.2);
}

BOOST_AUTO_TEST_CASE(percent_is_rounded_to_one_decimal) {
  run r;
  r.feed(step_body(1, 3));
  BOOST_TEST(*r.logs.progress.progress == 33.3);
}

BOOST_AUTO_TEST_CASE(training_complete_completes_the_job_at_100) {
  run r;
  r.feed(step_body(9));
  auto fx = r.feed(complete_body);
  BOOST_TEST(fx.status_changed);
  BOOST_TEST(fx.job_changed);
  BOOST_TEST((fx.old_status == job_status::running));
  BOOST_TEST((r.x.status == job_status::completed));
  BOOST_TEST(*r.x.completed_at == format_rfc3339(r.clock));
  BOOST_TEST(!r.x.error_message);
  const auto& p = r.logs.progress;
  BOOST_TEST(*p.progress == 100.0);
  BOOST_TEST(*p.step == 10);
  BOOST_TEST(!p.eta_seconds);
  BOOST_TEST(*p.learning_rate == 0.00002);
  // The completion's loss is always 0.0: the last real one stays.
  BOOST_TEST(*p.loss == 0.5);
}

BOOST_AUTO_TEST_CASE(an_error_fails_the_job_with_its_text_and_traceback) {
  run r;
  r.feed(step_body(2));
  auto fx = r.feed(
      R"({"title": "Training failed: RuntimeError", "message": "CUDA out of)"
      R"( memory", "traceback": "Traceback (most recent call last):\n  File)"
      R"( \"train.py\"\nRuntimeError: CUDA out of memory", "type": "error",)"
      R"( "job_id": "j", "severity": "error"})");
  BOOST_TEST(fx.status_changed);
  BOOST_TEST((r.x.status == job_status::failed));
  BOOST_TEST(*r.x.error_message
             == "Training failed: RuntimeError: CUDA out of memory\n\n"
                "Traceback (most recent call last):\n  File \"train.py\"\n"
                "RuntimeError: CUDA out of memory");
  // The status report that follows changes nothing: failed is final.
  auto after = r.x;
  auto again = r.feed(R"({"status": "failed", "type": "training.status",)"
                      R"( "job_id": "j", "severity": "error"})");
  BOOST_TEST(!again.job_changed);
  BOOST_TEST((r.x == after));
}

BOOST_AUTO_TEST_CASE(the_error_text_is_bounded_and_keeps_the_traceback_end) {
  run r;
  std::string frames;
  for (int i = 0; i < 400; ++i)
    frames += "  File \\\"layer" + std::to_string(i) + ".py\\\", line 1\\n";
  r.feed(R"({"type": "error", "title": "Training failed: ValueError",)"
         R"( "message": ")"
         + std::string(5000, 'm') + R"(", "traceback": "Traceback:\n)" + frames
         + R"(ValueError: shapes do not match"})");
  BOOST_REQUIRE(r.x.error_message);
  const auto& text = *r.x.error_message;
  BOOST_TEST(text.size() <= max_trainer_error_bytes);
  BOOST_TEST(text.rfind("Training failed: ValueError: mmm", 0) == 0);
  BOOST_TEST(text.find("ValueError: shapes do not match") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_error_severity_report_with_a_failed_status_fails_it) {
  // The in-process runner's "Fatal Error" notification.
  run r;
  r.feed(R"({"type": "notification", "severity": "error", "title": "Fatal)"
         R"( Error", "message": "disk full", "data": {"status": "error"}})");
  BOOST_TEST((r.x.status == job_status::failed));
  BOOST_TEST(*r.x.error_message == "Fatal Error: disk full");
  // An error-severity report without such a status is only a message.
  run other;
  other.feed(R"({"type": "notification", "severity": "error", "message":)"
             R"( "a warning, really"})");
  BOOST_TEST((other.x.status == job_status::running));
}

BOOST_AUTO_TEST_CASE(training_status_failed_fails_the_job) {
  // SimpleTuner's server leaves the job running on these.
  run bare;
  bare.feed(R"({"status": "failed", "type": "training.status", "job_id": "j",)"
            R"( "severity": "error"})");
  BOOST_TEST((bare.x.status == job_status::failed));
  BOOST_TEST(*bare.x.error_message
             == "The trainer reported that training failed");
  run launcher;
  launcher.feed(R"({"status": "training_failed", "type": "training.status",)"
                R"( "error": "accelerate exited with 1", "traceback": "TB"})");
  BOOST_TEST((launcher.x.status == job_status::failed));
  BOOST_TEST(*launcher.x.error_message == "accelerate exited with 1\n\nTB");
  run titled;
  titled.feed(R"({"type": "training.status", "title": "Failed", "message":)"
              R"( "Training failed: boom", "data": {"status": "failed"}})");
  BOOST_TEST(*titled.x.error_message == "Training failed: boom");
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_is_cancelled) {
  run r;
  r.feed(R"({"status": "interrupted", "type": "training.status"})");
  BOOST_TEST((r.x.status == job_status::cancelled));
  BOOST_TEST(*r.x.error_message
             == "The trainer reported that training was interrupted");
  BOOST_TEST(r.x.completed_at.has_value());
}

BOOST_AUTO_TEST_CASE(a_completed_status_completes_the_job) {
  run r;
  r.feed(R"({"type": "training.status", "status": "completed"})");
  BOOST_TEST((r.x.status == job_status::completed));
  BOOST_TEST(*r.logs.progress.progress == 100.0);
}

BOOST_AUTO_TEST_CASE(a_terminal_job_is_final) {
  run r;
  r.feed(step_body(4));
  r.feed(complete_body);
  auto done = r.x;
  auto progress = r.logs.progress;
  for (auto body :
       {step_body(9), std::string{R"({"type": "error", "message": "x"})"},
        std::string{R"({"type": "training.status", "status": "failed"})"},
        std::string{R"({"type": "lifecycle.stage", "stage": {"key":)"
                    R"( "validation", "status": "running"}})"},
        std::string{R"({"type": "training.checkpoint", "checkpoint":)"
                    R"( {"path": "/late"}})"}}) {
    auto fx = r.feed(body);
    BOOST_TEST(!fx.job_changed, body);
    BOOST_TEST(!fx.keep_image);
  }
  BOOST_TEST((r.x == done));
  BOOST_TEST(*r.logs.progress.progress == *progress.progress);
  BOOST_TEST(*r.logs.progress.stage == *progress.stage);
  // A log line that overtook nothing still lands in the tail.
  r.feed(R"({"type": "log.message", "message": "uploading to the hub"})");
  BOOST_TEST(*r.logs.progress.last_log == "uploading to the hub");
}

BOOST_AUTO_TEST_CASE(lifecycle_stages_give_the_stage) {
  struct expectation {
    const char* key;
    const char* stage;
  };
  for (auto [key, stage] : std::initializer_list<expectation>{
           {"init_data_backend", "Preprocessing"},
           {"init_text_embed_cache", "Preprocessing"},
           {"init_vae_cache", "Preprocessing"},
           {"vaecache", "Preprocessing"},
           {"init_cache_vae_processing_complete", "Preprocessing"},
           {"init_cache_text_embeds_status_update", "Preprocessing"},
           {"init_load_base_model", "Preprocessing"},
           {"init_prepare_models", "Preprocessing"},
           {"init_resume_checkpoint", "Preprocessing"},
           {"benchmark_base_model", "Validation"},
           {"validation", "Validation"},
           {"final_validation", "Validation"},
           {"checkpoint_save", "Saving checkpoint"},
           {"checkpoint_save_distiller", "Saving checkpoint"},
           {"model_save", "Saving checkpoint"},
       }) {
    run r;
    r.feed(std::string{R"({"type": "lifecycle.stage", "stage": {"key": ")"}
           + key + R"(", "status": "running"}})");
    BOOST_TEST(r.logs.progress.stage.value_or("none") == stage, key);
    // Stage progress (caches) is not training progress.
    BOOST_TEST(!r.logs.progress.progress);
  }
  BOOST_TEST(!stage_of_key("training_abort"));
  BOOST_TEST(!stage_of_key("stage_3"));
  BOOST_TEST(*stage_of_key("train_steps") == "Training");
}

BOOST_AUTO_TEST_CASE(the_stage_follows_the_run) {
  run r;
  auto stage = [&] { return r.logs.progress.stage.value_or("none"); };
  r.feed(R"({"type": "lifecycle.stage", "stage": {"key": "init_vae_cache",)"
         R"( "status": "running"}})");
  BOOST_TEST(stage() == "Preprocessing");
  r.feed(step_body(1));
  BOOST_TEST(stage() == "Training");
  r.feed(R"({"type": "lifecycle.stage", "stage": {"key": "checkpoint_save",)"
         R"( "status": "running"}})");
  BOOST_TEST(stage() == "Saving checkpoint");
  r.feed(R"({"type": "training.validation", "images": []})");
  BOOST_TEST(stage() == "Validation");
  r.feed(step_body(2));
  BOOST_TEST(stage() == "Training");
}

BOOST_AUTO_TEST_CASE(log_lines_and_notifications_feed_the_tail) {
  run r;
  r.feed(R"({"type": "log.message", "logger": "SimpleTuner", "message":)"
         R"( "Collected the following data backends: ['my-dataset']"})");
  r.feed(R"({"type": "notification", "title": "Training Config", "message":)"
         R"( "Training configuration initialized"})");
  // Sent twice by the trainer: kept once.
  r.feed(R"({"type": "notification", "title": "Training Config", "message":)"
         R"( "Training configuration initialized"})");
  r.feed(R"({"type": "notification", "title": "Only a title"})");
  // Status reports and stages are not log lines.
  r.feed(step_body(1));
  BOOST_TEST(r.logs.tail
             == "Collected the following data backends: ['my-dataset']\n"
                "Training configuration initialized\n"
                "Only a title\n");
  BOOST_TEST(*r.logs.progress.last_log == "Only a title");
  BOOST_TEST(r.logs.total_bytes == r.logs.tail.size());
  // A log line may repeat (only notifications are deduplicated).
  r.feed(R"({"type": "log.message", "message": "tick"})");
  r.feed(R"({"type": "log.message", "message": "tick"})");
  BOOST_TEST(r.logs.tail.substr(r.logs.tail.size() - 10) == "tick\ntick\n");
}

BOOST_AUTO_TEST_CASE(the_tail_keeps_its_bound) {
  run r;
  for (int i = 0; i < 500; ++i)
    r.feed(R"({"type": "log.message", "message": "line )" + std::to_string(i)
           + R"( of the trainer's log"})");
  BOOST_TEST(r.logs.tail.size() <= 4096u);
  BOOST_TEST(r.logs.tail.rfind("line ", 0) == 0);
  BOOST_TEST(*r.logs.progress.last_log == "line 499 of the trainer's log");
  BOOST_TEST(r.logs.total_bytes > 4096u);
}

BOOST_AUTO_TEST_CASE(an_error_is_also_a_log_line) {
  run r;
  r.feed(R"({"type": "error", "title": "Training failed: OSError", "message":)"
         R"( "disk full", "traceback": "TB"})");
  BOOST_TEST(*r.logs.progress.last_log
             == "Training failed: OSError: disk full");
}

BOOST_AUTO_TEST_CASE(a_checkpoint_path_is_kept_in_the_metadata) {
  run r;
  auto fx = r.feed(R"({"type": "training.checkpoint", "checkpoint": {"path":)"
                   R"( "/out/checkpoint-3"}})");
  BOOST_TEST(fx.job_changed);
  BOOST_TEST(r.x.metadata.at("checkpoint_path") == "\"/out/checkpoint-3\"");
  BOOST_TEST(!r.feed(R"({"type": "training.checkpoint", "checkpoint":)"
                     R"( {"path": "/out/checkpoint-3"}})")
                  .job_changed);
}

BOOST_AUTO_TEST_CASE(a_validation_image_is_kept_while_the_job_runs) {
  run r;
  auto png = base64_encode(std::string{"\x89PNG\r\n\x1a\n"} + "pixels");
  auto body
      = R"({"type": "training.validation", "images": [")" + png + R"("]})";
  BOOST_TEST(r.feed(body).keep_image);
  BOOST_TEST(!r.feed(R"({"type": "training.validation"})").keep_image);
  r.feed(complete_body);
  BOOST_TEST(!r.feed(body).keep_image);
}

BOOST_AUTO_TEST_CASE(legacy_training_progress_counts_as_training) {
  run r;
  r.feed(R"({"message_type": "progress_update", "message": {"progress_type":)"
         R"( "Training", "progress": 40, "total_elements": 10,)"
         R"( "current_estimated_index": 4}})");
  BOOST_TEST(*r.logs.progress.progress == 40.0);
  BOOST_TEST(*r.logs.progress.step == 4);
  run cache;
  cache.feed(R"({"message_type": "progress_update", "message":)"
             R"( {"progress_type": "vaecache", "progress": 40}})");
  BOOST_TEST(*cache.logs.progress.stage == "Preprocessing");
  BOOST_TEST(!cache.logs.progress.progress);
}

BOOST_AUTO_TEST_CASE(a_queued_local_job_starts_running_on_a_report) {
  run r;
  r.x.status = job_status::queued;
  r.x.started_at.reset();
  auto fx = r.feed(step_body(1));
  BOOST_TEST(fx.status_changed);
  BOOST_TEST((r.x.status == job_status::running));
  BOOST_TEST(r.x.started_at.has_value());
}

BOOST_AUTO_TEST_CASE(a_job_is_silent_after_the_timeout_since_its_last_report) {
  using std::chrono::seconds;
  run r;
  // Never confirmed: its creation counts.
  BOOST_TEST(!is_silent(r.x, seconds{60}, t0 + 59'999));
  BOOST_TEST(is_silent(r.x, seconds{60}, t0 + 60'000));
  r.x.synced_at = t0 + 30'000;
  BOOST_TEST(!is_silent(r.x, seconds{60}, t0 + 60'000));
  BOOST_TEST(is_silent(r.x, seconds{60}, t0 + 90'000));
  fail_silent(r.x, t0 + 90'000);
  BOOST_TEST((r.x.status == job_status::failed));
  BOOST_TEST(*r.x.error_message
             == "No report from the trainer since 2026-08-22T12:00:30.000Z");
  BOOST_TEST(*r.x.completed_at == "2026-08-22T12:01:30.000Z");
  // Final and cloud jobs are never silent.
  BOOST_TEST(!is_silent(r.x, seconds{60}, t0 + 900'000));
  job cloud;
  cloud.status = job_status::running;
  cloud.provider = "replicate";
  BOOST_TEST(!is_silent(cloud, seconds{60}, t0 + 900'000));
}

BOOST_AUTO_TEST_CASE(jobsync_tracks_start_report_marks_the_job_tracked) {
  run r;
  BOOST_TEST(!is_tracked(r.x));
  BOOST_TEST(local_cancel_note(r.x).find("was not reached")
             != std::string::npos);
  auto fx = r.feed(R"({"type": "notification", "job_id": "j", "tracked_by":)"
                   R"( "jobsync-track", "message": "jobsync-track runs: x"})");
  BOOST_TEST(fx.job_changed);
  BOOST_TEST(is_tracked(r.x));
  BOOST_TEST(r.x.metadata.at("tracked_by") == "\"jobsync-track\"");
  BOOST_TEST(local_cancel_note(r.x).find("jobsync-track was asked to stop")
             != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
