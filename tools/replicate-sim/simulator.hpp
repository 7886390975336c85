#pragma once

#include "tools/replicate-sim/catalog.hpp"
#include "tools/replicate-sim/cursor.hpp"
#include "tools/replicate-sim/job.hpp"
#include "tools/replicate-sim/job_store.hpp"
#include "tools/replicate-sim/virtual_clock.hpp"
#include "tools/replicate-sim/webhook_sender.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace jobsync::sim {

/// Defaults for the natural course of new jobs.
struct schedule_defaults {
  /// Mean time in `starting`.
  double starting_seconds = 5;
  /// Mean time in `processing`.
  double processing_seconds = 120;
  /// Share of jobs that fail.
  double failure_rate = 0.1;
  /// Share of jobs that get canceled part-way.
  double cancel_rate = 0.05;
  /// Durations vary by +-this fraction unless given explicitly.
  double jitter = 0.25;
  /// Training steps shown in logs.
  int steps = 1000;
};

/// Everything the simulator needs at construction.
struct simulator_config {
  /// Seed of every deterministic choice.
  uint64_t seed = 1;
  /// Natural course defaults.
  schedule_defaults schedule;
  /// Username of `/v1/account`; training destinations must be owned by it.
  std::string username = "sim-user";
  /// Events sent when a job has no `webhook_events_filter`.
  std::vector<std::string> default_webhook_events
      = {"start", "output", "logs", "completed"};
  /// Minimum real time between two `output`/`logs` webhooks of one job.
  std::chrono::milliseconds webhook_throttle{500};
};

/// Why an operation failed.
enum class sim_errc {
  /// No such job (or model, for training creation).
  not_found,
  /// The version does not exist: Replicate's 422.
  invalid_version,
  /// The training destination does not exist: Replicate's 404.
  invalid_destination,
  /// The transition is not possible from the job's state.
  conflict,
};

/// A failure with a human-readable detail.
struct sim_error {
  /// The category.
  sim_errc code;
  /// Explanation for the problem body.
  std::string detail;
};

/// A JSON text or an error.
using json_result = std::variant<std::string, sim_error>;

/// A create request after syntactic validation.
struct create_spec {
  /// Prediction or training.
  job_kind kind = job_kind::prediction;
  /// The `version` field (three forms) or, for trainings created through
  /// the model route, `owner/name:<version>`.
  std::string version;
  /// The `input` object, compact JSON.
  std::string input_json = "{}";
  /// Training destination.
  std::string destination;
  /// `webhook`.
  std::optional<std::string> webhook;
  /// `webhook_events_filter`.
  std::optional<std::vector<std::string>> webhook_events_filter;
  /// From `Cancel-After`.
  std::optional<nanos> cancel_after;
};

/// An admin request to create jobs directly.
struct admin_job_spec {
  /// How many.
  size_t count = 1;
  /// Which collection.
  job_kind kind = job_kind::prediction;
  /// Fixed initial status (held until advanced).
  std::optional<job_status> status;
  /// Spread creation times this far into the past.
  double created_spread_seconds = 0;
  /// `webhook`.
  std::optional<std::string> webhook;
  /// `webhook_events_filter`.
  std::optional<std::vector<std::string>> webhook_events_filter;
  /// Model `owner/name` (any; version derived when unknown).
  std::optional<std::string> model;
  /// Exact starting duration.
  std::optional<double> starting_seconds;
  /// Exact processing duration.
  std::optional<double> processing_seconds;
  /// Planned outcome.
  std::optional<job_status> outcome;
  /// Training steps.
  std::optional<int> steps;
  /// Input object, compact JSON.
  std::optional<std::string> input_json;
  /// `api` or `web`.
  std::optional<std::string> source;
};

/// Builds the absolute URL of a list cursor.
using cursor_link = std::function<std::string(const list_cursor&)>;

/// The emulated Replicate account: jobs, their lifecycle on the virtual
/// clock and the webhooks it implies. Every public member is thread-safe
/// (one mutex; the work under it is small).
class simulator {
public:
  /// Creates an empty account; webhooks go to `sender`.
  simulator(simulator_config config, catalog models, virtual_clock& clock,
            webhook_sender& sender);

  /// Sets the public API base used in `urls` (e.g. `http://h:p/v1`).
  void set_base_url(std::string base);

  /// The public API base.
  std::string base_url() const;

  /// Creates `n` jobs spread over the past `spread_seconds`, mostly
  /// finished, the newest tenth still active (for demos).
  void seed_jobs(size_t n, double spread_seconds);

  /// `POST /v1/predictions` and the training routes: the 201 body.
  json_result create(const create_spec& spec);

  /// The job as JSON. `kind` restricts the collection (nullopt: any).
  json_result get(std::string_view id, std::optional<job_kind> kind);

  /// Cancels a running job (a finished one is returned unchanged).
  json_result cancel(std::string_view id, std::optional<job_kind> kind);

  /// One list page as `{"next","previous","results"}`.
  std::string list(const page_request& request, const cursor_link& link);

  /// `POST /_admin/jobs`: ids, newest first.
  std::vector<std::string> admin_create(const admin_job_spec& spec);

  /// `POST /_admin/jobs/{id}/advance`.
  json_result advance(std::string_view id, job_status to);

  /// `POST /_admin/jobs/{id}/logs`.
  json_result append_logs(std::string_view id, std::string text);

  /// `DELETE /_admin/jobs/{id}`; false when unknown.
  bool erase(std::string_view id);

  /// Moves the virtual clock forward and fires the webhooks it implies.
  void advance_clock(nanos delta);

  /// Changes the clock speed.
  void set_speed(double speed);

  /// `{"now": ..., "speed": ...}`.
  std::string clock_json() const;

  /// The model catalog.
  const catalog& models() const {
    return catalog_;
  }

  /// Checks every job with a webhook and queues the events that became
  /// due; called periodically by the ticker.
  void poll_webhooks();

  /// Number of jobs.
  size_t size() const;

private:
  struct watch {
    std::vector<std::string> events;
    bool start_sent = false;
    bool done = false;
    bool output_seen = false;
    size_t log_version = 0;
    std::chrono::steady_clock::time_point last_progress{};
    uint64_t sequence = 0;
  };

  std::string next_id();
  job_plan make_plan(uint64_t h, const admin_job_spec* spec) const;
  nanos next_created(nanos now, uint64_t h);
  job& add(job j);
  job* find(std::string_view id, std::optional<job_kind> kind);
  std::string render(const job& j, nanos now, bool create_response) const;
  void check_webhooks(job& j, watch& w, nanos now,
                      std::chrono::steady_clock::time_point real);
  void send_webhook(const job& j, watch& w, const char* event, nanos now,
                    bool retry);

  simulator_config config_;
  catalog catalog_;
  virtual_clock& clock_;
  webhook_sender& sender_;
  mutable std::mutex mtx_;
  std::string base_url_;
  job_store store_;
  std::map<std::string, watch, std::less<>> watches_;
  uint64_t counter_ = 0;
  nanos last_created_ = 0;
};

} // namespace jobsync::sim
