// The registry's trainer message: reports of local trainers applied in the
// group commit, answered after it, one event per status change.

#include "actors/registry.hpp"
#include "model/standard_webhooks.hpp"

#include "tests/unit/actors/actor_fixture.hpp"

#include <thread>

using namespace jobsync;

namespace {

trainer_event report(const std::string& body) {
  auto e = parse_trainer_event(body, {});
  BOOST_REQUIRE_MESSAGE(e, (e ? "" : e.error().detail));
  return std::move(*e);
}

std::string step(const std::string& id, int n) {
  return R"({"type": "training.status", "job_id": ")" + id
         + R"(", "progress": {"current": )" + std::to_string(n)
         + R"(, "total": 10, "metrics": {"loss": 0.5}}})";
}

std::string complete(const std::string& id) {
  return R"({"type": "lifecycle.stage", "job_id": ")" + id
         + R"(", "stage": {"key": "training_complete", "status":)"
           R"( "completed"}, "data": {"state": {"args": {"webhook_config":)"
           R"( [{"auth_token": "st_SECRETKEY"}]}}}})";
}

std::string validation_report(const std::string& id,
                              const std::string& pixels) {
  return R"({"type": "training.validation", "job_id": ")" + id
         + R"(", "images": [")"
         + base64_encode(std::string{"\x89PNG\r\n\x1a\n"} + pixels) + R"("]})";
}

struct trainer_fixture : test::actor_fixture {
  registry_actor registry;

  trainer_fixture() {
    registry = track(
        sys->spawn(jobsync::registry, store.get(), registry_config{}, sink));
    sched->run();
  }

  trainer_outcome send(const std::string& body) {
    return ask<trainer_outcome>(registry, trainer_atom::value, report(body));
  }

  std::optional<job> stored(const std::string& id) {
    return *(*store->begin_read())->get(id);
  }

  std::optional<job_logs> logs(const std::string& id) {
    return *(*store->begin_read())->logs(id);
  }

  std::optional<validation_image> image(const std::string& id) {
    return *(*store->begin_read())->image(id);
  }

  registry_health health() {
    return ask<registry_health>(registry, health_atom::value);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(registry_trainer_reports, trainer_fixture)

BOOST_AUTO_TEST_CASE(the_first_report_of_a_job_id_creates_a_local_job) {
  auto o = send(R"({"type": "notification", "job_id": "3f9c1a2b", "message":)"
                R"( "SimpleTuner has launched."})");
  BOOST_TEST(o.attributed);
  BOOST_TEST(o.created);
  BOOST_TEST(o.job_id == "3f9c1a2b");
  BOOST_TEST((o.status == job_status::running));
  auto x = stored("3f9c1a2b");
  BOOST_REQUIRE(x);
  BOOST_TEST((x->type == job_type::local));
  BOOST_TEST(*x->provider == "local");
  BOOST_REQUIRE(events->size() == 1u);
  BOOST_TEST(events->front().job_id == "3f9c1a2b");
  BOOST_TEST(!events->front().previous);
  BOOST_TEST((events->front().status == job_status::running));
  BOOST_TEST(*logs("3f9c1a2b")->progress.last_log
             == "SimpleTuner has launched.");
  // Active local jobs are listed for their provider.
  auto active = *(*store->begin_read())->active("local");
  BOOST_TEST(active.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_report_without_a_job_id_is_counted_and_applied_to_none) {
  send(R"({"type": "notification", "job_id": "mine", "message": "a"})");
  auto before_logs = logs("mine");
  auto o = send(R"({"type": "log.message", "message": "whose line is it"})");
  BOOST_TEST(!o.attributed);
  BOOST_TEST(o.job_id.empty());
  BOOST_TEST((logs("mine") == before_logs));
  BOOST_TEST(events->size() == 1u);
  auto h = health();
  BOOST_TEST(h.trainer_reports == 2u);
  BOOST_TEST(h.unattributed_reports == 1u);
}

BOOST_AUTO_TEST_CASE(a_cloud_jobs_id_is_refused_and_left_alone) {
  job cloud;
  cloud.job_id = "r8-abc";
  cloud.provider = "replicate";
  cloud.external_id = "r8-abc";
  cloud.status = job_status::running;
  cloud.created_at = "2026-11-01T10:00:00Z";
  ask<apply_summary>(registry, put_atom::value, cloud);
  auto events_before = events->size();
  auto f = ask_fails<trainer_outcome>(registry, trainer_atom::value,
                                      report(complete("r8-abc")));
  BOOST_TEST((f.code == errc::invalid_job_state));
  BOOST_TEST((*stored("r8-abc") == cloud));
  BOOST_TEST(!logs("r8-abc"));
  BOOST_TEST(events->size() == events_before);
}

BOOST_AUTO_TEST_CASE(a_whole_run_makes_one_event_per_status_change) {
  send(step("run1", 0));
  for (int i = 1; i <= 10; ++i)
    send(step("run1", i));
  send(validation_report("run1", "final"));
  auto o = send(complete("run1"));
  BOOST_TEST((o.status == job_status::completed));
  BOOST_REQUIRE(events->size() == 2u);
  auto& done = events->back();
  BOOST_TEST((*done.previous == job_status::running));
  BOOST_TEST((done.status == job_status::completed));
  // The completion carries the final progress.
  BOOST_TEST(*done.progress == 100.0);
  BOOST_TEST(*logs("run1")->progress.progress == 100.0);
  // Repeats after the end change nothing and publish nothing.
  send(complete("run1"));
  send(step("run1", 10));
  BOOST_TEST(events->size() == 2u);
  BOOST_TEST((stored("run1")->status == job_status::completed));
}

BOOST_AUTO_TEST_CASE(the_callback_key_in_the_completion_is_never_stored) {
  send(step("k", 1));
  send(complete("k"));
  auto txn = std::move(*store->begin_read());
  auto x = *txn->get("k");
  auto l = *txn->logs("k");
  std::string everything = x->error_message.value_or("") + l->tail;
  for (const auto& [key, raw] : x->metadata)
    everything += key + raw;
  BOOST_TEST(everything.find("SECRETKEY") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(running_events_carry_stage_and_progress) {
  send(step("p", 4));
  BOOST_REQUIRE(events->size() == 1u);
  BOOST_TEST(*events->front().stage == "Training");
  BOOST_TEST(*events->front().progress == 40.0);
}

BOOST_AUTO_TEST_CASE(reports_that_arrive_together_share_one_commit) {
  auto commits_before = health().writer.commits;
  std::vector<test::actor_fixture::outcome<trainer_outcome>> slots;
  for (int i = 0; i < 20; ++i)
    slots.push_back(send_request<trainer_outcome>(registry, trainer_atom::value,
                                                  report(step("burst", i))));
  sched->run();
  for (auto& slot : slots)
    BOOST_REQUIRE(slot->has_value());
  BOOST_TEST(health().writer.commits == commits_before + 1);
  // The first created the job, the others found it in the same
  // transaction.
  BOOST_TEST(std::get<trainer_outcome>(**slots.front()).created);
  BOOST_TEST(!std::get<trainer_outcome>(**slots.back()).created);
  BOOST_TEST(events->size() == 1u);
  BOOST_TEST(*logs("burst")->progress.step == 19);
}

BOOST_AUTO_TEST_CASE(the_newest_validation_image_is_kept_and_erased_with_it) {
  send(validation_report("v", "first"));
  auto first = image("v");
  BOOST_REQUIRE(first);
  BOOST_TEST(first->image.bytes == std::string{"\x89PNG\r\n\x1a\nfirst"});
  send(validation_report("v", "second"));
  auto second = image("v");
  BOOST_TEST(second->image.bytes == std::string{"\x89PNG\r\n\x1a\nsecond"});
  BOOST_TEST(second->image.etag != first->image.etag);
  // The image lives in its own table, not in the job's value.
  BOOST_TEST(stored("v")->metadata.empty());
  send(R"({"type": "error", "job_id": "v", "message": "boom"})");
  ask<job>(registry, erase_atom::value, job_ref{"v"});
  BOOST_TEST(!image("v"));
  BOOST_TEST(!logs("v"));
}

BOOST_AUTO_TEST_CASE(silent_jobs_fail_unless_a_report_came_meanwhile) {
  send(step("quiet", 1));
  send(step("heard", 1));
  auto quiet_seen = *stored("quiet")->synced_at;
  // "heard" reports again after the check looked (a later millisecond):
  // the registry decides with what is stored.
  while (now_ms() <= quiet_seen)
    std::this_thread::yield();
  send(step("heard", 2));
  auto events_before = events->size();
  auto at = quiet_seen + 60'000;
  auto failed = ask<std::vector<std::string>>(
      registry, silent_atom::value,
      silence_check{
          {"quiet", "heard", "nobody"}, std::chrono::seconds{60}, at});
  BOOST_TEST(failed == std::vector<std::string>{"quiet"});
  auto quiet = stored("quiet");
  BOOST_TEST((quiet->status == job_status::failed));
  BOOST_TEST(*quiet->error_message
             == "No report from the trainer since "
                    + format_rfc3339(quiet_seen));
  BOOST_TEST((stored("heard")->status == job_status::running));
  // One event: the failure.
  BOOST_REQUIRE(events->size() == events_before + 1);
  BOOST_TEST(events->back().job_id == "quiet");
  // A failed job stays failed when asked again.
  BOOST_TEST(ask<std::vector<std::string>>(
                 registry, silent_atom::value,
                 silence_check{{"quiet"}, std::chrono::seconds{60}, at})
                 .empty());
}

BOOST_AUTO_TEST_CASE(every_report_confirms_the_job_until_it_is_final) {
  auto before = now_ms();
  send(step("s", 1));
  auto first = stored("s")->synced_at;
  BOOST_REQUIRE(first);
  BOOST_TEST(*first >= before);
  // A report that changes no job field still confirms it.
  send(step("s", 2));
  auto second = stored("s")->synced_at;
  BOOST_REQUIRE(second);
  BOOST_TEST(*second >= *first);
  send(complete("s"));
  auto final_confirmation = stored("s")->synced_at;
  // Late lines for a finished job confirm nothing.
  send(R"({"type": "log.message", "job_id": "s", "message": "late"})");
  BOOST_TEST((stored("s")->synced_at == final_confirmation));
  BOOST_TEST(*logs("s")->progress.last_log == "late");
}

BOOST_AUTO_TEST_CASE(a_crash_keeps_the_error_text) {
  send(step("c", 2));
  send(
      R"({"type": "error", "job_id": "c", "title": "Training failed:)"
      R"( RuntimeError", "message": "CUDA out of memory", "traceback": "TB"})");
  send(R"({"type": "training.status", "job_id": "c", "status": "failed"})");
  auto x = stored("c");
  BOOST_TEST((x->status == job_status::failed));
  BOOST_TEST(*x->error_message
             == "Training failed: RuntimeError: CUDA out of memory\n\nTB");
  BOOST_REQUIRE(events->size() == 2u);
  BOOST_TEST((events->back().status == job_status::failed));
}

BOOST_AUTO_TEST_SUITE_END()
