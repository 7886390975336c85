// Reading trainer reports (POST /callback bodies) as SimpleTuner's trainer
// sends them: every event type, the legacy aliases, and bodies that are
// odd or hostile.

#include "model/standard_webhooks.hpp"
#include "model/trainer_event.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

namespace {

const std::string png_magic = "\x89PNG\r\n\x1a\n";

trainer_event parse(const std::string& body, size_t max_image = 1 << 20) {
  auto e = parse_trainer_event(body, trainer_event_limits{max_image});
  BOOST_REQUIRE_MESSAGE(e, (e ? "" : e.error().detail) << " in " << body);
  return std::move(*e);
}

failure refused(const std::string& body) {
  auto e = parse_trainer_event(body, {});
  BOOST_REQUIRE_MESSAGE(!e, "accepted: " << body);
  return e.error();
}

// A PNG-looking file of `size` bytes (the reader checks only the
// signature; the integration tests send real images).
std::string fake_png(size_t size, char fill = 'x') {
  auto out = png_magic;
  out.resize(size, fill);
  return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(trainer_event_reading)

BOOST_AUTO_TEST_CASE(a_notification_as_the_trainer_sends_it) {
  auto e = parse(
      R"({"type": "notification", "severity": "info", "job_id": "3f9c1a2b",)"
      R"( "message": "SimpleTuner has launched. Hold onto your butts!",)"
      R"( "title": "SimpleTuner has launched. Hold onto your butts!",)"
      R"( "timestamp": "2026-08-22T17:32:24.123456+00:00"})");
  BOOST_TEST((e.type == trainer_event_type::notification));
  BOOST_TEST(e.type_name == "notification");
  BOOST_TEST(e.severity == "info");
  BOOST_TEST(*e.job_id == "3f9c1a2b");
  BOOST_TEST(*e.message == "SimpleTuner has launched. Hold onto your butts!");
  BOOST_TEST(*e.title == *e.message);
  BOOST_TEST(*e.timestamp == *parse_rfc3339("2026-08-22T17:32:24.123Z"));
  BOOST_TEST(!e.status);
  BOOST_TEST(e.progress.empty());
  BOOST_TEST(!e.image);
}

BOOST_AUTO_TEST_CASE(the_type_comes_from_any_of_its_legacy_names) {
  BOOST_TEST((parse(R"({"event_type": "training.status"})").type
              == trainer_event_type::training_status));
  BOOST_TEST((parse(R"({"message_type": "error"})").type
              == trainer_event_type::error));
  BOOST_TEST((parse(R"({"category": "log.message"})").type
              == trainer_event_type::log_message));
  // `type` wins over the aliases.
  BOOST_TEST((parse(R"({"type": "error", "message_type": "notification"})").type
              == trainer_event_type::error));
  // The SSE-side name of progress reports is read like training.status.
  BOOST_TEST((parse(R"({"type": "training.progress"})").type
              == trainer_event_type::training_status));
}

BOOST_AUTO_TEST_CASE(unknown_or_missing_types_are_notifications) {
  auto e = parse(R"({"type": "gpu.fault", "message": "GPU 0 fell off"})");
  BOOST_TEST((e.type == trainer_event_type::notification));
  BOOST_TEST(e.type_name == "gpu.fault");
  auto bare = parse(R"({"message": "hello"})");
  BOOST_TEST((bare.type == trainer_event_type::notification));
  BOOST_TEST(bare.type_name == "notification");
  BOOST_TEST(
      (parse(R"({"type": 7})").type == trainer_event_type::notification));
}

BOOST_AUTO_TEST_CASE(the_job_id_comes_from_any_of_its_places) {
  BOOST_TEST(*parse(R"({"job_id": "a1"})").job_id == "a1");
  BOOST_TEST(*parse(R"({"job": "a2"})").job_id == "a2");
  BOOST_TEST(*parse(R"({"extra": {"job_id": "a3"}})").job_id == "a3");
  BOOST_TEST(*parse(R"({"progress": {"job_id": "a4"}})").job_id == "a4");
  BOOST_TEST(*parse(R"({"job_id": null, "job": "a5"})").job_id == "a5");
}

BOOST_AUTO_TEST_CASE(a_report_without_a_usable_job_id_names_no_job) {
  BOOST_TEST(!parse(R"({"type": "log.message"})").job_id);
  BOOST_TEST(!parse(R"({"job_id": null})").job_id);
  BOOST_TEST(!parse(R"({"job_id": ""})").job_id);
  BOOST_TEST(!parse(R"({"job_id": 12345678})").job_id);
  BOOST_TEST(!parse(R"({"job_id": {"id": "x"}})").job_id);
}

BOOST_AUTO_TEST_CASE(job_ids_that_cannot_be_stored_are_refused) {
  auto f = refused(R"({"job_id": ")" + std::string(257, 'a') + R"("})");
  BOOST_TEST((f.code == errc::bad_request));
  BOOST_TEST(f.detail.find("257 bytes") != std::string::npos, f.detail);
  BOOST_TEST(
      parse(R"({"job_id": ")" + std::string(256, 'a') + R"("})").job_id->size()
      == 256u);
  BOOST_TEST((refused(R"({"job_id": "a\u0000b"})").code == errc::bad_request));
  BOOST_TEST((refused(R"({"job_id": "a\nb"})").code == errc::bad_request));
  // Malformed UTF-8 (JSON parsing lets it through; PostgreSQL refuses it):
  // a lone continuation byte, a cut sequence, an overlong form, a surrogate.
  for (std::string id : {"a\x80", "a\xe2\x82", "\xc0\xaf", "\xed\xa0\x80"})
    BOOST_TEST(
        (refused(R"({"job_id": ")" + id + R"("})").code == errc::bad_request));
  BOOST_TEST(*parse(R"({"job_id": "caf\u00e9-\u20ac-\ud83d\ude80"})").job_id
             == "caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x9a\x80");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_a_json_object_is_refused) {
  for (std::string body : {"", "[]", "[1, 2]", "\"text\"", "42", "null",
                           "{\"a\": ", "{'a': 1}", "{\"a\": NaN}"}) {
    auto f = refused(body);
    BOOST_TEST((f.code == errc::bad_request), body);
  }
  BOOST_TEST(refused("[]").detail.find("JSON object") != std::string::npos);
  BOOST_TEST(refused("{").detail.find("not JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(severities_are_normalized) {
  BOOST_TEST(parse(R"({"severity": "ERROR"})").severity == "error");
  BOOST_TEST(parse(R"({"severity": "warn"})").severity == "warning");
  BOOST_TEST(parse(R"({"severity": "fatal"})").severity == "critical");
  BOOST_TEST(parse(R"({"severity": "debug"})").severity == "debug");
  BOOST_TEST(parse(R"({"severity": "loud"})").severity == "info");
  BOOST_TEST(parse(R"({"severity": 3})").severity == "info");
  BOOST_TEST(parse(R"({})").severity == "info");
}

BOOST_AUTO_TEST_CASE(title_and_message_have_aliases_and_a_bound) {
  auto e = parse(R"({"headline": "H", "body": "B"})");
  BOOST_TEST(*e.title == "H");
  BOOST_TEST(*e.message == "B");
  BOOST_TEST(*parse(R"({"label": "L"})").title == "L");
  // A legacy progress report's message is an object: no message text.
  BOOST_TEST(!parse(R"({"message": {"progress": 5}})").message);
  auto big = parse(R"({"message": ")" + std::string(10000, 'm') + R"("})");
  BOOST_TEST(big.message->size() == max_trainer_text_bytes);
  BOOST_TEST(big.message->substr(big.message->size() - 3) == "...");
}

BOOST_AUTO_TEST_CASE(timestamps_are_iso_8601_or_unix_time) {
  auto iso = *parse_rfc3339("2026-08-22T17:32:24Z");
  BOOST_TEST(*parse(R"({"timestamp": "2026-08-22T17:32:24+00:00"})").timestamp
             == iso);
  BOOST_TEST(*parse(R"({"timestamp": "2026-08-22T19:32:24+02:00"})").timestamp
             == iso);
  BOOST_TEST(*parse(R"({"timestamp": 1787419944})").timestamp
             == unix_ms{1787419944000});
  BOOST_TEST(*parse(R"({"timestamp": 1787419944.5})").timestamp
             == unix_ms{1787419944500});
  BOOST_TEST(*parse(R"({"timestamp": "1787419944"})").timestamp
             == unix_ms{1787419944000});
  BOOST_TEST(*parse(R"({"timestamp": 1787419944123})").timestamp
             == unix_ms{1787419944123});
  BOOST_TEST(!parse(R"({"timestamp": "yesterday"})").timestamp);
  BOOST_TEST(!parse(R"({"timestamp": -5})").timestamp);
  BOOST_TEST(!parse(R"({"timestamp": 1e300})").timestamp);
  BOOST_TEST(!parse(R"({"timestamp": true})").timestamp);
}

BOOST_AUTO_TEST_CASE(a_step_report_gives_every_training_figure) {
  auto e = parse(
      R"({"type": "training.status", "job_id": "3f9c1a2b", "title": "Running",)"
      R"( "data": {"status": "running", "final_epoch": 2, "lr": 0.0,)"
      R"( "global_step": 3, "current_epoch": 1, "total_num_steps": 6},)"
      R"( "progress": {"current": 3, "total": 6, "percent": 50.0,)"
      R"( "eta_seconds": 4.5, "metrics": {"loss": 0.1234,)"
      R"( "learning_rate": 0.0001, "epoch": 1, "grad_absmax": 0.012}},)"
      R"( "timestamp": "2026-08-22T17:32:24.123456+00:00", "severity": "info"})");
  BOOST_TEST((e.type == trainer_event_type::training_status));
  BOOST_TEST(*e.status == "running");
  BOOST_TEST(*e.progress.step == 3);
  BOOST_TEST(*e.progress.total_steps == 6);
  BOOST_TEST(*e.progress.percent == 50.0);
  BOOST_TEST(*e.progress.eta_seconds == 4.5);
  BOOST_TEST(*e.progress.loss == 0.1234);
  // The live rate, not the stale data.lr (always the initial 0.0).
  BOOST_TEST(*e.progress.learning_rate == 0.0001);
  BOOST_TEST(*e.progress.epoch == 1.0);
}

BOOST_AUTO_TEST_CASE(the_first_report_of_the_loop_has_no_eta_or_loss) {
  auto e = parse(
      R"({"type": "training.status", "data": {"status": "running",)"
      R"( "total_num_steps": 6, "global_step": 0, "lr": 0.0},)"
      R"( "progress": {"label": "Training initialisation", "current": 0,)"
      R"( "total": 6, "percent": 0.0, "metrics": {"epoch": 1}}})");
  BOOST_TEST(*e.progress.step == 0);
  BOOST_TEST(*e.progress.percent == 0.0);
  BOOST_TEST(!e.progress.eta_seconds);
  BOOST_TEST(!e.progress.loss);
  BOOST_TEST(!e.progress.learning_rate);
}

BOOST_AUTO_TEST_CASE(missing_figures_come_from_the_loop_counters) {
  auto e = parse(R"({"type": "training.status", "data": {"global_step": 2,)"
                 R"( "total_num_steps": 8, "current_epoch": 3}})");
  BOOST_TEST(*e.progress.step == 2);
  BOOST_TEST(*e.progress.total_steps == 8);
  BOOST_TEST(*e.progress.percent == 25.0);
  BOOST_TEST(*e.progress.epoch == 3.0);
}

BOOST_AUTO_TEST_CASE(odd_figures_are_dropped_or_clamped) {
  auto e = parse(R"({"type": "training.status", "progress": {"current": -1,)"
                 R"( "total": 2.5, "percent": 250, "eta_seconds": -3,)"
                 R"( "metrics": {"loss": "0.1", "learning_rate": null}}})");
  BOOST_TEST(!e.progress.step);
  BOOST_TEST(!e.progress.total_steps);
  BOOST_TEST(*e.progress.percent == 100.0);
  BOOST_TEST(!e.progress.eta_seconds);
  BOOST_TEST(!e.progress.loss);
  BOOST_TEST(!e.progress.learning_rate);
  BOOST_TEST(*parse(R"({"type": "training.status", "progress": {"percent":)"
                    R"( -4}})")
                  .progress.percent
             == 0.0);
  BOOST_TEST(!parse(R"({"type": "training.status", "progress": {"current": 3,)"
                    R"( "total": 0}})")
                  .progress.percent);
}

BOOST_AUTO_TEST_CASE(failure_reports_keep_status_error_and_traceback) {
  auto bare = parse(R"({"status": "failed", "type": "training.status",)"
                    R"( "job_id": "j", "severity": "error"})");
  BOOST_TEST(*bare.status == "failed");
  BOOST_TEST(bare.severity == "error");
  auto launcher = parse(
      R"({"status": "training_failed", "type": "training.status",)"
      R"( "error": "accelerate exited with 1", "traceback": "Traceback ..."})");
  BOOST_TEST(*launcher.status == "training_failed");
  BOOST_TEST(*launcher.error_text == "accelerate exited with 1");
  BOOST_TEST(*launcher.traceback == "Traceback ...");
  // data.status wins over a top-level status; words are lower-cased.
  BOOST_TEST(
      *parse(R"({"status": "running", "data": {"status": "ERROR"}})").status
      == "error");
}

BOOST_AUTO_TEST_CASE(a_long_traceback_keeps_its_end) {
  auto e = parse(R"({"type": "error", "traceback": "Traceback:\n)"
                 + std::string(20000, 't') + R"(\nRuntimeError: the end"})");
  BOOST_TEST(e.traceback->size() == max_trainer_traceback_bytes);
  BOOST_TEST(e.traceback->substr(0, 3) == "...");
  BOOST_TEST(e.traceback->find("\nRuntimeError: the end") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_lifecycle_stage_gives_its_key_status_and_progress) {
  auto e = parse(
      R"({"type": "lifecycle.stage", "severity": "info", "job_id": "j",)"
      R"( "stage": {"key": "init_text_embed_cache", "label": "Text embeds",)"
      R"( "status": "Running", "progress": {"label": "Text embeds",)"
      R"( "current": 2, "total": 8, "percent": 25}},)"
      R"( "message": "caching", "title": "caching"})");
  BOOST_TEST((e.type == trainer_event_type::lifecycle_stage));
  BOOST_TEST(*e.stage_key == "init_text_embed_cache");
  BOOST_TEST(*e.stage_label == "Text embeds");
  BOOST_TEST(*e.stage_status == "running");
  BOOST_TEST(*e.progress.step == 2);
  BOOST_TEST(*e.progress.total_steps == 8);
  BOOST_TEST(*e.progress.percent == 25.0);
  // The cache builders' variant: label null, percent an int.
  auto cache = parse(R"({"type": "lifecycle.stage", "stage": {"key":)"
                     R"( "vaecache", "label": null, "status": "running",)"
                     R"( "progress": {"current": 1, "total": 4}}})");
  BOOST_TEST(*cache.stage_key == "vaecache");
  BOOST_TEST(!cache.stage_label);
}

BOOST_AUTO_TEST_CASE(the_completion_report_keeps_figures_but_not_its_state) {
  auto e = parse(
      R"({"type": "lifecycle.stage", "job_id": "j", "stage": {"key":)"
      R"( "training_complete", "status": "completed", "progress": {"label":)"
      R"( "Training Complete", "percent": 100, "metrics": {"loss": 0.0,)"
      R"( "learning_rate": 0.00005, "epoch": 2}}}, "data": {"state": {"args":)"
      R"( {"webhook_config": [{"webhook_type": "raw", "auth_token":)"
      R"( "st_SECRETSECRET"}]}}, "final_epoch": 2}})");
  BOOST_TEST(*e.stage_key == "training_complete");
  BOOST_TEST(*e.progress.percent == 100.0);
  BOOST_TEST(*e.progress.learning_rate == 0.00005);
  BOOST_TEST(*e.progress.epoch == 2.0);
  // Its loss is always 0.0 (reset after each step): not a figure.
  BOOST_TEST(!e.progress.loss);
  // Nothing of `data` survives reading, the callback key least of all.
  for (const auto* text : {&e.title, &e.message, &e.error_text, &e.traceback,
                           &e.checkpoint_path, &e.stage_label})
    BOOST_TEST(!(*text && (*text)->find("SECRET") != std::string::npos));
}

BOOST_AUTO_TEST_CASE(a_checkpoint_report_gives_its_path) {
  auto e = parse(R"({"type": "training.checkpoint", "checkpoint": {"path":)"
                 R"( "/out/checkpoint-3", "label": "Checkpoint saved",)"
                 R"( "is_final": false}})");
  BOOST_TEST((e.type == trainer_event_type::checkpoint));
  BOOST_TEST(*e.checkpoint_path == "/out/checkpoint-3");
}

BOOST_AUTO_TEST_CASE(a_validation_report_keeps_its_last_png) {
  auto first = fake_png(100, 'a');
  auto second = fake_png(120, 'b');
  auto e = parse(
      R"({"type": "training.validation", "job_id": "j", "images": [")"
      + base64_encode(first) + R"(", ")" + base64_encode(second) + R"("]})");
  BOOST_TEST((e.type == trainer_event_type::validation));
  BOOST_REQUIRE(e.image);
  BOOST_TEST(e.image->bytes == second);
  BOOST_TEST(e.images_skipped == 1u);
  // A strong ETag from the bytes: quoted, and the same for the same file.
  BOOST_TEST(e.image->etag.size() == 34u);
  BOOST_TEST(e.image->etag.front() == '"');
  BOOST_TEST(e.image->etag.back() == '"');
  auto again = parse(R"({"type": "training.validation", "images": [")"
                     + base64_encode(second) + R"("]})");
  BOOST_TEST(again.image->etag == e.image->etag);
  auto other = parse(R"({"type": "training.validation", "images": [")"
                     + base64_encode(first) + R"("]})");
  BOOST_TEST(other.image->etag != e.image->etag);
}

BOOST_AUTO_TEST_CASE(unusable_images_are_skipped) {
  auto png = fake_png(64);
  auto e = parse(R"({"type": "training.validation", "images": [")"
                 + base64_encode(png) + R"(", "not base64!", ")"
                 + base64_encode("GIF89a....") + R"(", 17]})");
  BOOST_REQUIRE(e.image);
  BOOST_TEST(e.image->bytes == png);
  BOOST_TEST(e.images_skipped == 3u);
  // A data: URL is read too.
  auto url = parse(R"({"type": "training.validation", "images":)"
                   R"( ["data:image/png;base64,)"
                   + base64_encode(png) + R"("]})");
  BOOST_TEST(url.image->bytes == png);
  // Over the bound: skipped, whether the text or the file says so.
  auto big = fake_png(2000);
  auto over = parse(R"({"type": "training.validation", "images": [")"
                        + base64_encode(big) + R"("]})",
                    1999);
  BOOST_TEST(!over.image);
  BOOST_TEST(over.images_skipped == 1u);
  BOOST_TEST(parse(R"({"type": "training.validation", "images": [")"
                       + base64_encode(big) + R"("]})",
                   2000)
                 .image.has_value());
  BOOST_TEST(!parse(R"({"type": "training.validation", "images": "x"})")
                  .image.has_value());
}

BOOST_AUTO_TEST_CASE(only_validation_results_carry_the_image) {
  // Previews (per sampling step) and notifications with media are not the
  // job's validation image.
  auto png = base64_encode(fake_png(64));
  BOOST_TEST(
      !parse(R"({"type": "validation.image", "images": [")" + png + R"("]})")
           .image);
  BOOST_TEST(!parse(R"({"type": "notification", "images": [")" + png + R"("]})")
                  .image);
}

BOOST_AUTO_TEST_CASE(the_legacy_progress_report_is_read) {
  auto e = parse(
      R"({"message_type": "progress_update", "message": {"progress_type":)"
      R"( "Training", "progress": 40, "total_elements": 10,)"
      R"( "current_estimated_index": 4}, "job_id": "j", "timestamp": 1700000000})");
  BOOST_TEST((e.type == trainer_event_type::legacy_progress));
  BOOST_TEST(*e.stage_key == "Training");
  BOOST_TEST(*e.progress.step == 4);
  BOOST_TEST(*e.progress.total_steps == 10);
  BOOST_TEST(*e.progress.percent == 40.0);
  BOOST_TEST(*e.timestamp == unix_ms{1700000000000});
}

BOOST_AUTO_TEST_CASE(text_bounds_never_split_a_character) {
  const std::string e_acute = "\xc3\xa9";
  auto head = "ab" + e_acute + "cdef";
  BOOST_TEST(bound_text(head, 100) == head);
  BOOST_TEST(bound_text(head, 6) == "ab...");
  BOOST_TEST(bound_text(head, 7) == "ab" + e_acute + "...");
  auto tail = "abcdef" + e_acute + "gh";
  BOOST_TEST(bound_text_tail(tail, 100) == tail);
  BOOST_TEST(bound_text_tail(tail, 6) == "...gh");
  BOOST_TEST(bound_text_tail(tail, 7) == "..." + e_acute + "gh");
}

BOOST_AUTO_TEST_SUITE_END()
