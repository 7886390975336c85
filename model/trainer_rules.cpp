#include "model/trainer_rules.hpp"

#include "model/json.hpp"
#include "model/progress.hpp"

#include <algorithm>
#include <cctype>

namespace jobsync {

namespace {

constexpr unix_ms one_day_ms = 86400000;

// What a report decides about the job's status, if anything.
struct verdict {
  job_status status;
  std::optional<std::string> message;
};

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool is_one_of(const std::optional<std::string>& x,
               std::initializer_list<std::string_view> words) {
  return x && std::find(words.begin(), words.end(), *x) != words.end();
}

// The trainer's own time for a report, unless its clock is so far off that
// the server's time is the better guess.
unix_ms event_time(const trainer_event& e, unix_ms received) {
  if (e.timestamp && *e.timestamp > received - one_day_ms
      && *e.timestamp < received + one_day_ms)
    return *e.timestamp;
  return received;
}

// Title and message as one line; a title the message already says (the
// trainer's "Failed" before "Training failed: ...") is left out.
std::optional<std::string> headline_of(const trainer_event& e) {
  auto detail = e.message ? e.message : e.error_text;
  if (!detail)
    return e.title;
  if (!e.title || contains(lower(*detail), lower(*e.title)))
    return detail;
  return *e.title + ": " + *detail;
}

// A failure with what the report says about it.
verdict failed(const trainer_event& e) {
  return verdict{
      job_status::failed,
      error_text_of(e).value_or("The trainer reported that training failed")};
}

std::optional<verdict> verdict_of(const trainer_event& e) {
  using t = trainer_event_type;
  if (e.type == t::lifecycle_stage && e.stage_key == "training_complete")
    return verdict{job_status::completed, std::nullopt};
  if (e.type == t::error)
    return failed(e);
  bool severe = e.severity == "error" || e.severity == "critical";
  if (severe && is_one_of(e.status, {"failed", "error", "fatal", "crashed"}))
    return failed(e);
  if (e.type != t::training_status)
    return std::nullopt;
  if (is_one_of(e.status,
                {"failed", "training_failed", "error", "fatal", "crashed"}))
    return failed(e);
  if (is_one_of(e.status, {"interrupted", "cancelled", "canceled"}))
    return verdict{job_status::cancelled,
                   "The trainer reported that training was "
                       + std::string{*e.status == "interrupted" ? "interrupted"
                                                                : "cancelled"}};
  if (is_one_of(e.status, {"completed", "success"}))
    return verdict{job_status::completed, std::nullopt};
  return std::nullopt;
}

// The text a report adds to the log tail.
std::optional<std::string> log_line_of(const trainer_event& e) {
  switch (e.type) {
  case trainer_event_type::log_message:
    return e.message;
  case trainer_event_type::notification:
    return e.message ? e.message : e.title;
  case trainer_event_type::error:
    return headline_of(e);
  default:
    return std::nullopt;
  }
}

bool ends_with_line(std::string_view tail, std::string_view line) {
  if (tail.size() < line.size() + 1 || tail.back() != '\n')
    return false;
  auto start = tail.size() - line.size() - 1;
  return tail.substr(start, line.size()) == line
         && (start == 0 || tail[start - 1] == '\n');
}

std::optional<std::string> stage_of(const trainer_event& e) {
  switch (e.type) {
  case trainer_event_type::lifecycle_stage:
  case trainer_event_type::legacy_progress:
    return e.stage_key ? stage_of_key(*e.stage_key) : std::nullopt;
  case trainer_event_type::training_status:
    return std::string{"Training"};
  case trainer_event_type::validation:
  case trainer_event_type::validation_preview:
    return std::string{"Validation"};
  default:
    return std::nullopt;
  }
}

// Training figures of a report: training status reports, and legacy
// progress reports about training (cache progress is not training).
bool reports_training(const trainer_event& e) {
  if (e.type == trainer_event_type::training_status)
    return true;
  return e.type == trainer_event_type::legacy_progress
         && stage_of(e) == std::optional<std::string>{"Training"};
}

void take_figures(inline_progress& p, const trainer_progress& f) {
  // A report of an earlier step (reordered or repeated) is old news.
  if (f.step && p.step && *f.step < *p.step)
    return;
  if (f.step)
    p.step = f.step;
  if (f.total_steps)
    p.total_steps = f.total_steps;
  if (f.percent)
    p.progress = round_one_decimal(*f.percent);
  p.eta_seconds = f.eta_seconds;
  if (f.loss)
    p.loss = f.loss;
  if (f.learning_rate)
    p.learning_rate = f.learning_rate;
}

void finish(job& x, job_logs& logs, const verdict& v, const trainer_event& e,
            unix_ms received) {
  x.status = v.status;
  x.completed_at = format_rfc3339(event_time(e, received));
  if (v.message)
    x.error_message = v.message;
  if (v.status != job_status::completed)
    return;
  auto& p = logs.progress;
  p.progress = 100.0;
  p.eta_seconds.reset();
  if (p.total_steps)
    p.step = p.total_steps;
  if (e.progress.learning_rate)
    p.learning_rate = e.progress.learning_rate;
}

} // namespace

bool is_local_run(const job& x) {
  return x.type == job_type::local && x.provider == local_provider;
}

unix_ms last_report_ms(const job& x) {
  return x.synced_at.value_or(created_ms(x));
}

bool is_silent(const job& x, std::chrono::milliseconds timeout, unix_ms at) {
  return is_local_run(x) && is_active(x.status)
         && last_report_ms(x) + timeout.count() <= at;
}

void fail_silent(job& x, unix_ms at) {
  x.status = job_status::failed;
  x.error_message
      = "No report from the trainer since " + format_rfc3339(last_report_ms(x));
  x.completed_at = format_rfc3339(at);
}

bool is_tracked(const job& x) {
  auto i = x.metadata.find(std::string{tracked_by_key});
  return i != x.metadata.end();
}

std::string local_cancel_note(const job& x) {
  if (is_tracked(x))
    return "Cancelled through jobsync; jobsync-track was asked to stop the "
           "training command (SIGTERM, then SIGKILL after its grace period)";
  return "Cancelled in jobsync only: the training process was not reached "
         "(no jobsync-track runs it); stop it where it runs";
}

job local_job_from_event(const trainer_event& e, unix_ms received) {
  job x;
  x.job_id = e.job_id.value_or("");
  x.type = job_type::local;
  x.provider = std::string{local_provider};
  x.status = job_status::running;
  x.created_at = format_rfc3339(event_time(e, received));
  x.started_at = x.created_at;
  return x;
}

std::optional<std::string> stage_of_key(std::string_view raw) {
  auto key = lower(raw);
  if (key == "training_abort" || key == "training_complete")
    return std::nullopt;
  if (key.rfind("init_", 0) == 0 || contains(key, "cache")
      || contains(key, "data_backend") || contains(key, "load"))
    return std::string{"Preprocessing"};
  if (contains(key, "valid") || contains(key, "benchmark"))
    return std::string{"Validation"};
  if (contains(key, "save") || contains(key, "checkpoint"))
    return std::string{"Saving checkpoint"};
  if (contains(key, "train") || contains(key, "step"))
    return std::string{"Training"};
  return std::nullopt;
}

std::optional<std::string> error_text_of(const trainer_event& e) {
  auto headline = headline_of(e);
  if (e.message && e.error_text && *e.message != *e.error_text
      && !contains(*headline, *e.error_text))
    *headline += "\n" + *e.error_text;
  if (!headline && !e.traceback)
    return std::nullopt;
  // The head says what failed; the traceback's end says where.
  std::string out = bound_text(headline.value_or(""), 2048);
  if (e.traceback) {
    if (!out.empty())
      out += "\n\n";
    auto room = max_trainer_error_bytes > out.size()
                    ? max_trainer_error_bytes - out.size()
                    : 0;
    out += bound_text_tail(*e.traceback, room);
  }
  return out;
}

trainer_effect apply_trainer_event(job& x, job_logs& logs,
                                   const trainer_event& e, size_t tail_bytes,
                                   unix_ms received) {
  trainer_effect out;
  out.old_status = x.status;
  logs.updated_at = std::max(logs.updated_at, received);
  if (auto line = log_line_of(e)) {
    bool repeated = e.type == trainer_event_type::notification
                    && ends_with_line(logs.tail, *line);
    if (!repeated)
      append_log_line(logs, *line, tail_bytes);
  }
  if (is_terminal(x.status))
    return out;
  auto before = x;
  if (auto v = verdict_of(e)) {
    finish(x, logs, *v, e, received);
  } else {
    if (lifecycle_rank(x.status) < lifecycle_rank(job_status::running))
      x.status = job_status::running;
    if (!x.started_at)
      x.started_at = format_rfc3339(event_time(e, received));
    if (auto stage = stage_of(e))
      logs.progress.stage = std::move(stage);
    if (reports_training(e))
      take_figures(logs.progress, e.progress);
    if (e.checkpoint_path)
      x.metadata["checkpoint_path"] = quote_json(*e.checkpoint_path);
    if (e.tracked_by)
      x.metadata[std::string{tracked_by_key}] = quote_json(*e.tracked_by);
    out.keep_image = e.image.has_value();
  }
  out.job_changed = x != before;
  out.status_changed = x.status != before.status;
  return out;
}

} // namespace jobsync
