#include "tools/replicate-sim/job_json.hpp"

#include "tools/replicate-sim/seeded.hpp"
#include "tools/replicate-sim/training_logs.hpp"

namespace jobsync::sim {

namespace {

log_script script_of(const job& j) {
  return {j.seed, j.plan.steps, j.plan.full_run, j.model};
}

log_ending ending_of(const job_phase& p) {
  if (p.status == job_status::succeeded)
    return log_ending::succeeded;
  if (p.status == job_status::failed)
    return log_ending::failed;
  return log_ending::none;
}

nanos elapsed_of(const job_phase& p, nanos now) {
  return p.completed.value_or(now) - *p.started;
}

bool allow_last_step(const job& j, const job_phase& p) {
  return j.hold != job_hold::processing || p.completed.has_value();
}

// Replicate drops the logs of some canceled jobs
// (tools/replicate-sim/README.md, the CAS canceled prediction); a third of
// canceled jobs here.
bool logs_are_null(const job& j, const job_phase& p) {
  return p.status == job_status::canceled
         && hash_combine(j.seed, "null-logs") % 3 == 0;
}

// Replicate prints timestamps with varying fractional precision; every
// job and field gets its own so that clients' parsers are exercised.
// Truncation only keeps created <= started <= completed visible when the
// precision never decreases along that chain, so each field draws from
// the choices at or above the previous one's.
int digits_for(const job& j, uint64_t field) {
  static constexpr int choices[] = {0, 3, 6, 8, 9};
  auto h = hash_combine(j.seed, "digits");
  if (field == 3)
    return choices[hash_combine(h, field) % 5];
  size_t index = 0;
  for (uint64_t f = 0; f <= field; ++f)
    index += hash_combine(h, f) % (5 - index);
  return choices[index];
}

void write_time(json_writer& w, const job& j, std::optional<nanos> t,
                uint64_t field) {
  if (t)
    write_string(w, format_time(*t, digits_for(j, field)));
  else
    w.Null();
}

std::string delivery_url(const job& j, std::string_view file) {
  return "https://replicate.delivery/xezq/"
         + make_base62(hash_combine(j.seed, "delivery"), 36) + "/"
         + std::string{file};
}

void write_output(json_writer& w, const job& j, const job_phase& p) {
  if (!p.has_output) {
    w.Null();
    return;
  }
  if (j.kind == job_kind::training) {
    w.StartObject();
    write_key(w, "version");
    write_string(w, sha256_hex("trained:" + j.id));
    write_key(w, "weights");
    write_string(w, delivery_url(j, "trained_model.tar"));
    w.EndObject();
    return;
  }
  if (j.model.find("sdxl") != std::string::npos) {
    w.StartArray();
    write_string(w, delivery_url(j, "out-0.png"));
    w.EndArray();
    return;
  }
  write_string(w, delivery_url(j, "lora.safetensors"));
}

void write_metrics(json_writer& w, const job& j, const job_phase& p) {
  w.StartObject();
  if (p.completed) {
    if (p.started) {
      write_key(w, "predict_time");
      w.Double(static_cast<double>(*p.completed - *p.started) / 1e9);
    }
    write_key(w, "total_time");
    w.Double(static_cast<double>(*p.completed - j.created) / 1e9);
  }
  w.EndObject();
}

void write_urls(json_writer& w, const job& j, const render_options& o) {
  std::string collection = j.kind == job_kind::training && !o.create_response
                               ? "trainings"
                               : "predictions";
  auto get = std::string{o.base_url} + "/" + collection + "/" + j.id;
  w.StartObject();
  write_key(w, "get");
  write_string(w, get);
  write_key(w, "cancel");
  write_string(w, get + "/cancel");
  write_key(w, "web");
  write_string(w, "https://replicate.com/p/" + j.id);
  w.EndObject();
}

} // namespace

std::optional<std::string> job_logs(const job& j, const job_phase& p,
                                    nanos now) {
  if (logs_are_null(j, p))
    return std::nullopt;
  std::string out;
  size_t next_append = 0;
  auto flush_before = [&](nanos t) {
    while (next_append < j.appends.size() && j.appends[next_append].at < t)
      out += j.appends[next_append++].text;
  };
  if (p.started) {
    auto start = *p.started;
    generate_logs(script_of(j), elapsed_of(p, now), allow_last_step(j, p),
                  ending_of(p), [&](nanos offset, std::string_view text) {
                    flush_before(start + offset);
                    out.append(text);
                  });
  }
  while (next_append < j.appends.size())
    out += j.appends[next_append++].text;
  return out;
}

size_t job_log_version(const job& j, const job_phase& p, nanos now) {
  size_t n = j.appends.size();
  if (p.started)
    n += count_log_chunks(script_of(j), elapsed_of(p, now),
                          allow_last_step(j, p), ending_of(p));
  return n;
}

void write_job(json_writer& w, const job& j, nanos now,
               const render_options& options) {
  auto p = phase_at(j, now);
  bool prediction = j.kind == job_kind::prediction;
  w.StartObject();
  write_key(w, "id");
  write_string(w, j.id);
  write_key(w, "model");
  write_string(w, j.model);
  write_key(w, "version");
  write_string(w, j.version);
  write_key(w, "input");
  w.RawValue(j.input_json.data(), j.input_json.size(), rapidjson::kObjectType);
  write_key(w, "logs");
  write_optional(w, job_logs(j, p, now));
  write_key(w, "output");
  write_output(w, j, p);
  if (prediction) {
    write_key(w, "data_removed");
    w.Bool(false);
  }
  write_key(w, "error");
  if (p.status == job_status::failed)
    write_string(w, failure_message(j.seed));
  else
    w.Null();
  write_key(w, "status");
  write_string(w, to_string(p.status));
  write_key(w, "created_at");
  write_time(w, j, j.created, 0);
  write_key(w, "started_at");
  write_time(w, j, p.started, 1);
  write_key(w, "completed_at");
  write_time(w, j, p.completed, 2);
  write_key(w, "urls");
  write_urls(w, j, options);
  write_key(w, "metrics");
  write_metrics(w, j, p);
  write_key(w, "source");
  write_string(w, j.source);
  if (prediction && j.deadline) {
    write_key(w, "deadline");
    write_time(w, j, j.deadline, 3);
  }
  if (j.webhook) {
    write_key(w, "webhook");
    write_string(w, *j.webhook);
  }
  if (j.webhook_events_filter) {
    write_key(w, "webhook_events_filter");
    w.StartArray();
    for (auto& e : *j.webhook_events_filter)
      write_string(w, e);
    w.EndArray();
  }
  w.EndObject();
}

std::string job_to_json(const job& j, nanos now,
                        const render_options& options) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write_job(w, j, now, options);
  return {buf.GetString(), buf.GetSize()};
}

} // namespace jobsync::sim
