#include "tools/replicate-sim/simulator.hpp"

#include "model/json.hpp"
#include "tools/replicate-sim/job_json.hpp"
#include "tools/replicate-sim/seeded.hpp"

#include <algorithm>

namespace jobsync::sim {

namespace {

constexpr const char* default_prediction_model
    = "simpletuner/advanced-trainer-h100";
constexpr const char* default_training_model = "ostris/flux-dev-lora-trainer";

// What SimpleTuner sends (tools/replicate-sim/README.md): its configuration as
// JSON strings inside the input object.
std::string default_input(uint64_t h) {
  auto rank = 8 << (h % 3);
  return R"({"config_json":"{\"model_family\":\"flux\",\"model_type\":)"
         R"(\"lora\",\"lora_rank\":)"
         + std::to_string(rank)
         + R"(,\"max_train_steps\":1000}","dataloader_json":"[{\"id\":)"
           R"(\"default\",\"type\":\"local\"}]"})";
}

sim_error not_found() {
  return {sim_errc::not_found, "The requested resource could not be found."};
}

} // namespace

simulator::simulator(simulator_config config, catalog models,
                     virtual_clock& clock, webhook_sender& sender)
    : config_(std::move(config)), catalog_(std::move(models)), clock_(clock),
      sender_(sender) {}

void simulator::set_base_url(std::string base) {
  std::lock_guard<std::mutex> guard{mtx_};
  base_url_ = std::move(base);
}

std::string simulator::base_url() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return base_url_;
}

size_t simulator::size() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return store_.size();
}

std::string simulator::next_id() {
  for (;;) {
    auto id = make_job_id(hash_combine(config_.seed, ++counter_));
    if (store_.find(id) == nullptr)
      return id;
  }
}

job_plan simulator::make_plan(uint64_t h, const admin_job_spec* spec) const {
  auto& d = config_.schedule;
  auto jittered = [&](std::optional<double> exact, double mean,
                      const char* label) {
    if (exact)
      return seconds_to_ns(std::max(0.0, *exact));
    auto factor = uniform(hash_combine(h, label), 1 - d.jitter, 1 + d.jitter);
    return seconds_to_ns(std::max(0.0, mean * factor));
  };
  job_plan plan;
  plan.starting = jittered(spec ? spec->starting_seconds : std::nullopt,
                           d.starting_seconds, "starting");
  plan.processing = jittered(spec ? spec->processing_seconds : std::nullopt,
                             d.processing_seconds, "processing");
  if (spec && spec->outcome) {
    plan.outcome = *spec->outcome;
  } else {
    auto roll = unit_interval(hash_combine(h, "outcome"));
    plan.outcome = roll < d.failure_rate ? job_status::failed
                   : roll < d.failure_rate + d.cancel_rate
                       ? job_status::canceled
                       : job_status::succeeded;
  }
  plan.steps = spec && spec->steps ? std::max(1, *spec->steps) : d.steps;
  // Jobs that fail or get canceled stop part-way through their steps.
  plan.full_run = plan.processing;
  if (plan.outcome != job_status::succeeded)
    plan.full_run
        = static_cast<nanos>(static_cast<double>(plan.processing)
                             / uniform(hash_combine(h, "stop-at"), 0.2, 0.9));
  if (plan.full_run <= 0)
    plan.full_run = 1;
  return plan;
}

nanos simulator::next_created(nanos now, uint64_t h) {
  // Real creation times never tie; with a frozen clock they would, so
  // consecutive creations are kept a few microseconds apart.
  auto t = std::max(now, last_created_ + 1000 + static_cast<nanos>(h % 1000));
  last_created_ = t;
  return t;
}

job& simulator::add(job j) {
  auto& stored = store_.insert(std::move(j));
  last_created_ = std::max(last_created_, stored.created);
  if (stored.webhook) {
    watch w;
    w.events
        = stored.webhook_events_filter.value_or(config_.default_webhook_events);
    watches_[stored.id] = std::move(w);
  }
  return stored;
}

job* simulator::find(std::string_view id, std::optional<job_kind> kind) {
  auto* j = store_.find(id);
  if (j == nullptr || (kind && j->kind != *kind))
    return nullptr;
  return j;
}

std::string simulator::render(const job& j, nanos now,
                              bool create_response) const {
  return job_to_json(j, now, {base_url_, create_response});
}

void simulator::seed_jobs(size_t n, double spread_seconds) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = clock_.now();
  auto& d = config_.schedule;
  auto active_window = d.starting_seconds + d.processing_seconds;
  for (size_t i = 0; i < n; ++i) {
    auto h = hash_combine(hash_combine(config_.seed, "seed-job"), i);
    job j;
    j.id = next_id();
    j.seed = hash_combine(config_.seed, j.id);
    j.kind = job_kind::prediction;
    auto& m = catalog_.models()[h % 8];
    j.model = m.name;
    j.version = m.version;
    j.input_json = default_input(h);
    j.source = h % 10 == 0 ? "web" : "api";
    // The newest tenth is still queued or running; the rest finished.
    double age = i * 10 >= n * 9
                     ? uniform(hash_combine(h, "age"), 0, active_window)
                     : uniform(hash_combine(h, "age"), active_window,
                               std::max(active_window, spread_seconds));
    j.created = now - seconds_to_ns(age);
    j.plan = make_plan(j.seed, nullptr);
    add(std::move(j));
  }
}

json_result simulator::create(const create_spec& spec) {
  auto resolved = catalog_.resolve(spec.version);
  if (!resolved)
    return sim_error{sim_errc::invalid_version, ""};
  if (spec.kind == job_kind::training) {
    auto slash = spec.destination.find('/');
    if (!catalog::is_model_name(spec.destination)
        || spec.destination.substr(0, slash) != config_.username)
      return sim_error{sim_errc::invalid_destination,
                       "The specified training destination does not exist"};
  }
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = clock_.now();
  job j;
  j.id = next_id();
  j.seed = hash_combine(config_.seed, j.id);
  j.kind = spec.kind;
  j.model = resolved->model;
  j.version = resolved->version;
  j.input_json = spec.input_json;
  j.destination = spec.destination;
  j.webhook = spec.webhook;
  j.webhook_events_filter = spec.webhook_events_filter;
  j.created = next_created(now, j.seed);
  if (spec.cancel_after)
    j.deadline = j.created + *spec.cancel_after;
  j.plan = make_plan(j.seed, nullptr);
  auto& stored = add(std::move(j));
  auto body = render(stored, now, true);
  if (auto w = watches_.find(stored.id); w != watches_.end())
    check_webhooks(stored, w->second, now, std::chrono::steady_clock::now());
  return body;
}

json_result simulator::get(std::string_view id, std::optional<job_kind> kind) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto* j = find(id, kind);
  if (j == nullptr)
    return not_found();
  return render(*j, clock_.now(), false);
}

json_result simulator::cancel(std::string_view id,
                              std::optional<job_kind> kind) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto* j = find(id, kind);
  if (j == nullptr)
    return not_found();
  auto now = clock_.now();
  // Canceling a finished job is not an error on Replicate: it answers
  // with the job as it is.
  force_transition(*j, job_status::canceled, now);
  if (auto w = watches_.find(j->id); w != watches_.end()) {
    check_webhooks(*j, w->second, now, std::chrono::steady_clock::now());
    if (w->second.done)
      watches_.erase(w);
  }
  return render(*j, now, false);
}

std::string simulator::list(const page_request& request,
                            const cursor_link& link) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = clock_.now();
  auto req = request;
  if (req.filter.web_only)
    req.filter.web_since = now - 14 * 86400 * ns_per_second;
  auto page = store_.page(req);
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  auto write_link = [&](const std::optional<list_key>& key, bool reverse) {
    if (!key) {
      w.Null();
      return;
    }
    auto url = link(list_cursor{*key, reverse});
    write_string(w, url);
  };
  w.StartObject();
  w.Key("next");
  write_link(page.next, false);
  w.Key("previous");
  write_link(page.previous, true);
  w.Key("results");
  w.StartArray();
  render_options options{base_url_, false};
  for (auto* j : page.jobs)
    write_job(w, *j, now, options);
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::vector<std::string> simulator::admin_create(const admin_job_spec& spec) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = clock_.now();
  std::vector<list_key> keys;
  for (size_t i = 0; i < spec.count; ++i) {
    job j;
    j.id = next_id();
    j.seed = hash_combine(config_.seed, j.id);
    j.kind = spec.kind;
    j.model = spec.model.value_or(j.kind == job_kind::training
                                      ? default_training_model
                                      : default_prediction_model);
    auto* m = catalog_.find_model(j.model);
    j.version = m != nullptr ? m->version : catalog::default_version(j.model);
    j.input_json = spec.input_json.value_or(default_input(j.seed));
    j.source = spec.source.value_or("api");
    if (j.kind == job_kind::training)
      j.destination = config_.username + "/trained-" + j.id.substr(0, 8);
    j.webhook = spec.webhook;
    j.webhook_events_filter = spec.webhook_events_filter;
    j.plan = make_plan(j.seed, &spec);
    // Spread creation times back into the past, and place jobs with a
    // fixed status early enough to have reached it by now.
    nanos shift = 0;
    if (spec.status && *spec.status != job_status::starting)
      shift += j.plan.starting;
    if (spec.status && *spec.status != job_status::starting
        && *spec.status != job_status::processing
        && *spec.status != job_status::aborted)
      shift += j.plan.processing;
    auto back = static_cast<nanos>(
        spec.created_spread_seconds * static_cast<double>(ns_per_second)
        * static_cast<double>(i) / static_cast<double>(spec.count));
    j.created = now - back - shift;
    if (spec.status)
      apply_fixed_status(j, *spec.status, now);
    keys.push_back({j.created, j.id});
    add(std::move(j));
  }
  std::sort(keys.begin(), keys.end(), listed_before{});
  std::vector<std::string> ids;
  auto real = std::chrono::steady_clock::now();
  for (auto& k : keys) {
    ids.push_back(k.id);
    if (auto w = watches_.find(k.id); w != watches_.end()) {
      check_webhooks(*store_.find(k.id), w->second, now, real);
      if (w->second.done)
        watches_.erase(w);
    }
  }
  return ids;
}

json_result simulator::advance(std::string_view id, job_status to) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto* j = find(id, std::nullopt);
  if (j == nullptr)
    return not_found();
  auto now = clock_.now();
  if (auto error = force_transition(*j, to, now))
    return sim_error{sim_errc::conflict, *error};
  if (auto w = watches_.find(j->id); w != watches_.end()) {
    check_webhooks(*j, w->second, now, std::chrono::steady_clock::now());
    if (w->second.done)
      watches_.erase(w);
  }
  return render(*j, now, false);
}

json_result simulator::append_logs(std::string_view id, std::string text) {
  std::lock_guard<std::mutex> guard{mtx_};
  auto* j = find(id, std::nullopt);
  if (j == nullptr)
    return not_found();
  auto now = clock_.now();
  j->appends.push_back({now, std::move(text)});
  return render(*j, now, false);
}

bool simulator::erase(std::string_view id) {
  std::lock_guard<std::mutex> guard{mtx_};
  if (auto w = watches_.find(id); w != watches_.end())
    watches_.erase(w);
  return store_.erase(id);
}

void simulator::advance_clock(nanos delta) {
  clock_.advance(delta);
  // Deliver what the jump implies now rather than at the next tick, so a
  // test that advances the clock can await the webhooks at once.
  poll_webhooks();
}

void simulator::set_speed(double speed) {
  clock_.set_speed(speed);
}

std::string simulator::clock_json() const {
  auto now = clock_.now();
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("now");
  auto text = format_time(now, 9);
  write_string(w, text);
  w.Key("now_unix_ms");
  w.Int64(now / 1'000'000);
  w.Key("speed");
  w.Double(clock_.speed());
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

void simulator::poll_webhooks() {
  std::lock_guard<std::mutex> guard{mtx_};
  auto now = clock_.now();
  auto real = std::chrono::steady_clock::now();
  for (auto it = watches_.begin(); it != watches_.end();) {
    auto* j = store_.find(it->first);
    if (j == nullptr) {
      it = watches_.erase(it);
      continue;
    }
    check_webhooks(*j, it->second, now, real);
    if (it->second.done)
      it = watches_.erase(it);
    else
      ++it;
  }
}

void simulator::send_webhook(const job& j, watch& w, const char* event,
                             nanos now, bool retry) {
  webhook_message m;
  m.job_id = j.id;
  m.event = event;
  m.url = *j.webhook;
  m.msg_id = "msg_"
             + make_base62(
                 hash_combine(hash_combine(j.seed, "msg"), ++w.sequence), 27);
  m.body = render(j, now, false);
  m.retry = retry;
  sender_.enqueue(std::move(m));
}

void simulator::check_webhooks(job& j, watch& w, nanos now,
                               std::chrono::steady_clock::time_point real) {
  auto wants = [&](std::string_view event) {
    return std::find(w.events.begin(), w.events.end(), event) != w.events.end();
  };
  if (w.done)
    return;
  auto p = phase_at(j, now);
  if (!w.start_sent) {
    w.start_sent = true;
    // A job first seen finished (admin-created in the past) goes straight
    // to completed: a start event with a terminal body would be a lie.
    if (wants("start") && !is_terminal(p.status))
      send_webhook(j, w, "start", now, false);
  }
  if (is_terminal(p.status)) {
    // Pending output/logs events are superseded by the final state.
    if (wants("completed"))
      send_webhook(j, w, "completed", now, true);
    w.done = true;
    return;
  }
  bool output_changed = p.has_output && !w.output_seen;
  auto version = job_log_version(j, p, now);
  bool logs_changed = version != w.log_version;
  if (!output_changed && !logs_changed)
    return;
  if (w.last_progress != std::chrono::steady_clock::time_point{}
      && real - w.last_progress < config_.webhook_throttle)
    return;
  const char* event = nullptr;
  if (output_changed && wants("output"))
    event = "output";
  else if (logs_changed && wants("logs"))
    event = "logs";
  w.output_seen = p.has_output;
  w.log_version = version;
  if (event != nullptr) {
    send_webhook(j, w, event, now, false);
    w.last_progress = real;
  }
}

} // namespace jobsync::sim
