#include "tools/trainer-sim/scenario.hpp"

#include "model/standard_webhooks.hpp"
#include "tools/trainer-sim/png.hpp"

#include <algorithm>
#include <cstdio>

namespace jobsync::tools {

namespace {

using obj = std::initializer_list<std::pair<std::string, py_value>>;

// Builds the reports of a run in order.
class run_builder {
public:
  explicit run_builder(const run_plan& plan) : plan_(plan) {}

  std::vector<planned_report> reports;

  // The envelope of the trainer's event builders: `job_id` is always a key
  // (null without a job id).
  py_value event(const char* type, const char* severity = "info") {
    auto v = py_value::object({{"type", type}, {"severity", severity}});
    v.set("job_id", plan_.job_id ? py_value{*plan_.job_id} : py_value{});
    return v;
  }

  // send_raw's own additions: `job_id` only when the trainer has one.
  py_value raw(py_value v) {
    if (plan_.job_id)
      v.set("job_id", *plan_.job_id);
    return v;
  }

  void add(py_value body, std::string image = {}) {
    reports.push_back({std::move(body), std::move(image)});
  }

  void notification(const std::string& text) {
    auto v = event("notification");
    v.set("message", text);
    v.set("title", text);
    add(std::move(v));
  }

  void log_line(const std::string& text) {
    add(raw(py_value::object({{"type", "log.message"},
                              {"logger", "SimpleTuner"},
                              {"message", text},
                              {"severity", "info"}})));
  }

  // lifecycle_stage_event: a stage with its progress.
  void stage(const char* key, const char* label, const char* status,
             int current, int total, const char* message) {
    auto v = event("lifecycle.stage");
    auto progress = py_value::object(
        {{"label", label},
         {"current", current},
         {"total", total},
         {"percent", total > 0 ? 100 * current / total : 0}});
    v.set("stage", py_value::object({{"key", key},
                                     {"label", label},
                                     {"status", status},
                                     {"progress", progress}}));
    v.set("message", message);
    v.set("title", message);
    add(std::move(v));
  }

  // WebhookHandler.send_lifecycle_stage (validation, data backends): no
  // job_id in the builder; progress is only a label.
  void handler_stage(const char* key, const char* label, const char* status) {
    auto v = py_value::object(
        {{"type", "lifecycle.stage"},
         {"severity", "info"},
         {"stage", py_value::object(
                       {{"key", key},
                        {"label", label},
                        {"status", status},
                        {"progress", py_value::object({{"label", label}})}})},
         {"message", label},
         {"title", label}});
    add(raw(std::move(v)));
  }

  // WebhookMixin.send_progress_update (cache builders): label null.
  void cache_progress(const char* key, int current, int total) {
    auto v = event("lifecycle.stage");
    v.set("stage",
          py_value::object(
              {{"key", key},
               {"label", nullptr},
               {"status", current >= total ? "completed" : "running"},
               {"progress",
                py_value::object({{"label", nullptr},
                                  {"current", current},
                                  {"total", total},
                                  {"percent", 100 * current / total}})}}));
    add(std::move(v));
  }

  // The public configuration the trainer attaches to "Training
  // configuration initialized": tens of kilobytes.
  py_value public_config() {
    auto v = py_value::object({{"model_family", "flux"},
                               {"output_dir", "/out"},
                               {"max_train_steps", plan_.steps},
                               {"learning_rate", 0.0001}});
    for (int i = 0; i < 400; ++i) {
      char key[32];
      std::snprintf(key, sizeof key, "option_%03d", i);
      v.set(key, "a value of a training option, as the trainer logs it");
    }
    return v;
  }

  py_value step_report(int step) {
    int total = plan_.steps;
    double loss = 0.2 + 0.3 / (1 + step);
    auto v = event("training.status");
    v.set("title", "Running");
    v.set("data", py_value::object({{"status", "running"},
                                    {"final_epoch", 2},
                                    // Stale in the real trainer: never the
                                    // live rate.
                                    {"lr", 0.0},
                                    {"global_step", step},
                                    {"global_resume_step", 0},
                                    {"first_epoch", 1},
                                    {"current_epoch", 1 + step * 2 / total},
                                    {"steps_remaining_at_start", total},
                                    {"total_num_steps", total}}));
    auto metrics = py_value::object(
        {{"loss", loss},
         {"learning_rate", 0.0001 * (1.0 - 0.5 * step / total)},
         {"epoch", 1 + step * 2 / total},
         {"effective_batch_size", 1.0},
         {"total_batch_size", 1.0},
         {"iteration_step_time_seconds", 1.5},
         {"seconds_per_step", 1.5},
         {"steps_per_second", 0.667},
         {"grad_absmax", 0.012}});
    v.set("progress", py_value::object({{"current", step},
                                        {"total", total},
                                        {"percent", 100.0 * step / total},
                                        {"eta_seconds", 1.5 * (total - step)},
                                        {"metrics", metrics}}));
    return v;
  }

  void setup() {
    notification("SimpleTuner has launched. Hold onto your butts!");
    notification("Training job has started, configuration has begun.");
    handler_stage("init_data_backend", "Configuring data backends", "running");
    stage("init_text_embed_cache", "Text embed cache", "running", 0, 2,
          "Caching text embeds");
    cache_progress("init_cache_text_embeds_status_update", 1, 2);
    stage("init_text_embed_cache", "Text embed cache", "completed", 2, 2,
          "Text embeds are cached");
    stage("init_vae_cache", "VAE cache", "running", 0, 4, "Caching latents");
    cache_progress("vaecache", 2, 4);
    stage("init_vae_cache", "VAE cache", "completed", 4, 4,
          "Latents are cached");
    log_line("Collected 8 images in my-dataset");
    handler_stage("init_data_backend", "Configuring data backends",
                  "completed");
    notification("Collected the following data backends: ['my-dataset']");
    stage("init_load_base_model", "Loading base model", "running", 0, 1,
          "Loading the base model");
    stage("init_load_base_model", "Loading base model", "completed", 1, 1,
          "Base model has loaded.");
    stage("init_prepare_models", "Preparing models", "running", 0, 1,
          "Preparing models");
    stage("init_prepare_models", "Preparing models", "completed", 1, 1,
          "Models are prepared.");
    log_line("No checkpoint to resume from: starting a fresh run");
    log_line("Beginning training with 8 images");
    // Sent twice: init_trackers runs in train.py and again in train().
    for (int i = 0; i < 2; ++i) {
      auto v = event("notification");
      v.set("message", "Training configuration initialized");
      v.set("title", "Training Config");
      v.set("data", public_config());
      add(std::move(v));
    }
    auto first = event("training.status");
    first.set("title", "Running");
    first.set("data", py_value::object({{"status", "running"},
                                        {"total_num_steps", plan_.steps},
                                        {"global_step", 0},
                                        {"lr", 0.0}}));
    first.set("message", "\n***** Running training *****\n-  Trainable "
                         "parameters: 1234567");
    first.set("progress", py_value::object(
                              {{"label", "Training initialisation"},
                               {"current", 0},
                               {"total", plan_.steps},
                               {"percent", 0.0},
                               {"metrics", py_value::object({{"epoch", 1}})}}));
    add(std::move(first));
  }

  void checkpoint(int step) {
    char text[96];
    std::snprintf(text, sizeof text, "Checkpoint: `Step %d of %d: loss %.4f`",
                  step, plan_.steps, 0.2 + 0.3 / (1 + step));
    notification(text);
    // The status goes out again, identical, right before the save.
    add(step_report(step));
    stage("checkpoint_save", "Saving checkpoint", "running", 0, 1,
          "Saving a checkpoint");
    stage("checkpoint_save", "Saving checkpoint", "completed", 1, 1,
          "Checkpoint saved");
    auto path = "/out/checkpoint-" + std::to_string(step);
    auto v = event("training.checkpoint");
    v.set("checkpoint",
          py_value::object({{"path", path},
                            {"label", "Checkpoint saved to " + path},
                            {"is_final", false}}));
    v.set("title", "Checkpoint saved to " + path);
    add(std::move(v));
    log_line("Saved state to " + path);
  }

  void validation(int step) {
    handler_stage("validation", "Validation", "running");
    auto png = make_png(static_cast<uint32_t>(plan_.image_size),
                        static_cast<uint32_t>(plan_.image_size),
                        static_cast<uint32_t>(step));
    auto v = py_value::object({{"message", "Validation: validation"},
                               {"type", "training.validation"}});
    v = raw(std::move(v));
    v.set("severity", "info");
    v.set("images", py_value::list({base64_encode(png)}));
    add(std::move(v), std::move(png));
    handler_stage("validation", "Validation", "completed");
  }

  void training(int last_step) {
    for (int step = 1; step <= last_step; ++step) {
      add(step_report(step));
      if (plan_.checkpoint_every > 0 && step % plan_.checkpoint_every == 0) {
        checkpoint(step);
        validation(step);
      }
    }
  }

  void finish() {
    log_line("Training has ended; saving the final model");
    stage("model_save", "Saving the final model", "running", 0, 1,
          "Saving the final model");
    handler_stage("final_validation", "Final validation", "running");
    handler_stage("final_validation", "Final validation", "completed");
    stage("model_save", "Saving the final model", "completed", 1, 1,
          "The final model is saved");
    auto v = event("lifecycle.stage");
    v.set("stage",
          py_value::object(
              {{"key", "training_complete"},
               {"label", "Training Complete"},
               {"status", "completed"},
               {"progress",
                py_value::object(
                    {{"label", "Training Complete"},
                     {"percent", 100},
                     {"metrics", py_value::object({{"loss", 0.0},
                                                   {"learning_rate", 0.00005},
                                                   {"epoch", 2}})}})}}));
    // The trainer's whole state, with the full configuration, callback key
    // included.
    auto webhook
        = py_value::object({{"webhook_type", "raw"},
                            {"callback_url", "http://localhost:8001/callback"},
                            {"log_level", "info"},
                            {"auth_token", plan_.api_key}});
    auto args = public_config();
    args.set("webhook_config", py_value::list({webhook}));
    v.set("data", py_value::object(
                      {{"state", py_value::object({{"global_step", plan_.steps},
                                                   {"args", args}})},
                       {"final_epoch", 2}}));
    v.set("message", "Training has completed.");
    v.set("title", "Training has completed.");
    add(std::move(v));
  }

  void crash() {
    auto v = py_value::object(
        {{"title", "Training failed: RuntimeError"},
         {"message", "CUDA out of memory. Tried to allocate 2.00 GiB"},
         {"traceback",
          "Traceback (most recent call last):\n"
          "  File \"simpletuner/train.py\", line 301, in main\n"
          "    trainer.train()\n"
          "  File \"simpletuner/helpers/training/trainer.py\", line 7404, "
          "in train\n"
          "    loss.backward()\n"
          "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"},
         {"type", "error"}});
    v = raw(std::move(v));
    v.set("severity", "error");
    add(std::move(v));
    add(raw(py_value::object({{"status", "failed"},
                              {"type", "training.status"},
                              {"severity", "error"}})));
  }

private:
  const run_plan& plan_;
};

} // namespace

std::optional<run_kind> parse_run_kind(const std::string& word) {
  if (word == "full")
    return run_kind::full;
  if (word == "crash")
    return run_kind::crash;
  if (word == "killed")
    return run_kind::killed;
  if (word == "burst")
    return run_kind::burst;
  return std::nullopt;
}

std::vector<planned_report> plan_run(const run_plan& plan) {
  run_builder b{plan};
  switch (plan.kind) {
  case run_kind::full:
    b.setup();
    b.training(plan.steps);
    b.finish();
    break;
  case run_kind::crash:
    b.setup();
    b.training(std::min(3, plan.steps));
    b.crash();
    break;
  case run_kind::killed:
    b.setup();
    b.training(std::min(4, plan.steps));
    break;
  case run_kind::burst:
    for (int step = 1; step <= plan.steps; ++step)
      b.reports.push_back({b.step_report(step), {}});
    break;
  }
  return std::move(b.reports);
}

} // namespace jobsync::tools
