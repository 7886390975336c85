#include "model/trainer_event.hpp"

#include "model/job.hpp"
#include "model/json.hpp"
#include "model/standard_webhooks.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace jobsync {

namespace {

using value = rapidjson::Value;

constexpr std::string_view png_signature = "\x89PNG\r\n\x1a\n";

const value* member(const value* obj, const char* name) {
  if (!obj || !obj->IsObject())
    return nullptr;
  auto m = obj->FindMember(name);
  if (m == obj->MemberEnd() || m->value.IsNull())
    return nullptr;
  return &m->value;
}

std::optional<std::string> text_of(const value* v) {
  if (!v || !v->IsString() || v->GetStringLength() == 0)
    return std::nullopt;
  return std::string{v->GetString(), v->GetStringLength()};
}

// The first of several members that holds a non-empty string.
std::optional<std::string>
first_text(const value* obj, std::initializer_list<const char*> names) {
  for (auto name : names)
    if (auto t = text_of(member(obj, name)))
      return t;
  return std::nullopt;
}

std::optional<double> number_of(const value* v) {
  if (!v || !v->IsNumber())
    return std::nullopt;
  auto x = v->GetDouble();
  if (!std::isfinite(x))
    return std::nullopt;
  return x;
}

// A count (step, total): a non-negative whole number.
std::optional<int64_t> count_of(const value* v) {
  auto x = number_of(v);
  if (!x || *x < 0 || *x != std::floor(*x) || *x > 9.0e15)
    return std::nullopt;
  return static_cast<int64_t>(*x);
}

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> bounded(std::optional<std::string> x) {
  if (x && x->size() > max_trainer_text_bytes)
    return bound_text(*x, max_trainer_text_bytes);
  return x;
}

trainer_event_type type_of(std::string_view word) {
  if (word == "log.message")
    return trainer_event_type::log_message;
  if (word == "lifecycle.stage")
    return trainer_event_type::lifecycle_stage;
  if (word == "training.status" || word == "training.progress")
    return trainer_event_type::training_status;
  if (word == "training.checkpoint")
    return trainer_event_type::checkpoint;
  if (word == "training.validation")
    return trainer_event_type::validation;
  if (word == "validation.image")
    return trainer_event_type::validation_preview;
  if (word == "error")
    return trainer_event_type::error;
  if (word == "progress_update")
    return trainer_event_type::legacy_progress;
  return trainer_event_type::notification;
}

std::string severity_of(const std::optional<std::string>& word) {
  if (!word)
    return "info";
  auto w = lower(*word);
  if (w == "warn")
    return "warning";
  if (w == "fatal")
    return "critical";
  for (const char* known : {"critical", "error", "warning", "info", "debug"})
    if (w == known)
      return w;
  return "info";
}

// ISO 8601 (what the trainer sends) or a Unix time in seconds (the legacy
// format), also as a numeric string; milliseconds when it is that large.
std::optional<unix_ms> timestamp_of(const value* v) {
  std::optional<double> seconds;
  if (v && v->IsString()) {
    std::string_view text{v->GetString(), v->GetStringLength()};
    if (auto t = parse_rfc3339(text))
      return t;
    std::string copy{text};
    char* end = nullptr;
    double x = std::strtod(copy.c_str(), &end);
    if (!copy.empty() && end == copy.c_str() + copy.size())
      seconds = x;
  } else {
    seconds = number_of(v);
  }
  if (!seconds || *seconds < 0 || *seconds > 1.0e14)
    return std::nullopt;
  double ms = *seconds >= 1.0e11 ? *seconds : *seconds * 1000.0;
  return static_cast<unix_ms>(ms);
}

std::optional<std::string> job_id_of(const value& body) {
  if (auto id = first_text(&body, {"job_id", "job"}))
    return id;
  if (auto id = text_of(member(member(&body, "extra"), "job_id")))
    return id;
  return text_of(member(member(&body, "progress"), "job_id"));
}

result<void> check_job_id(const std::string& id) {
  if (id.size() > max_job_id_bytes)
    return failure{errc::bad_request, "job_id has " + std::to_string(id.size())
                                          + " bytes; at most "
                                          + std::to_string(max_job_id_bytes)
                                          + " are accepted"};
  if (!storable_job_id(id))
    return failure{errc::bad_request,
                   "job_id holds control characters or is not valid UTF-8"};
  return {};
}

double clamp_percent(double x) {
  return std::min(100.0, std::max(0.0, x));
}

// `progress` of a training report, with the loop's own counters in `data`
// as a fallback for step and total.
trainer_progress training_progress_of(const value& body) {
  trainer_progress p;
  auto* progress = member(&body, "progress");
  auto* metrics = member(progress, "metrics");
  auto* data = member(&body, "data");
  p.step = count_of(member(progress, "current"));
  if (!p.step)
    p.step = count_of(member(data, "global_step"));
  p.total_steps = count_of(member(progress, "total"));
  if (!p.total_steps)
    p.total_steps = count_of(member(data, "total_num_steps"));
  if (auto percent = number_of(member(progress, "percent")))
    p.percent = clamp_percent(*percent);
  else if (p.step && p.total_steps && *p.total_steps > 0)
    p.percent = clamp_percent(100.0 * static_cast<double>(*p.step)
                              / static_cast<double>(*p.total_steps));
  if (auto eta = number_of(member(progress, "eta_seconds")); eta && *eta >= 0)
    p.eta_seconds = eta;
  p.loss = number_of(member(metrics, "loss"));
  p.learning_rate = number_of(member(metrics, "learning_rate"));
  p.epoch = number_of(member(metrics, "epoch"));
  if (!p.epoch)
    p.epoch = number_of(member(data, "current_epoch"));
  return p;
}

// The legacy report: `message` is an object of progress_type, progress,
// total_elements and current_estimated_index.
void read_legacy_progress(const value& body, trainer_event& e) {
  auto* m = member(&body, "message");
  if (!m || !m->IsObject())
    return;
  e.stage_key = text_of(member(m, "progress_type"));
  e.progress.step = count_of(member(m, "current_estimated_index"));
  e.progress.total_steps = count_of(member(m, "total_elements"));
  if (auto percent = number_of(member(m, "progress")))
    e.progress.percent = clamp_percent(*percent);
}

void read_stage(const value& body, trainer_event& e) {
  auto* stage = member(&body, "stage");
  if (stage && stage->IsString()) {
    e.stage_key = text_of(stage);
    return;
  }
  e.stage_key = text_of(member(stage, "key"));
  e.stage_label = text_of(member(stage, "label"));
  e.stage_status = text_of(member(stage, "status"));
  auto* progress = member(stage, "progress");
  e.progress.step = count_of(member(progress, "current"));
  e.progress.total_steps = count_of(member(progress, "total"));
  if (auto percent = number_of(member(progress, "percent")))
    e.progress.percent = clamp_percent(*percent);
  if (auto eta = number_of(member(progress, "eta_seconds")); eta && *eta >= 0)
    e.progress.eta_seconds = eta;
  // The completion report's metrics: its loss is always 0.0 (the trainer
  // resets it after each step), so only the rate and epoch are taken.
  auto* metrics = member(progress, "metrics");
  e.progress.learning_rate = number_of(member(metrics, "learning_rate"));
  e.progress.epoch = number_of(member(metrics, "epoch"));
  if (!e.progress.epoch)
    e.progress.epoch = number_of(member(member(&body, "data"), "final_epoch"));
}

std::string sha256_etag(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  // 128 bits are plenty to tell images apart.
  for (unsigned int i = 0; i < std::min(size, 16u); ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  out += '"';
  return out;
}

// One entry of `images`: bare base64 (what the trainer sends) or a data:
// URL; only PNG files within the bound are usable.
std::optional<png_image> image_of(const value& entry,
                                  const trainer_event_limits& limits) {
  if (!entry.IsString())
    return std::nullopt;
  std::string_view text{entry.GetString(), entry.GetStringLength()};
  constexpr std::string_view data_url = "data:image/png;base64,";
  if (text.substr(0, data_url.size()) == data_url)
    text.remove_prefix(data_url.size());
  // Decoding is skipped when the text alone says the file is too large.
  if (text.size() / 4 * 3 > limits.max_image_bytes + 2)
    return std::nullopt;
  auto bytes = base64_decode(text);
  if (!bytes || bytes->size() > limits.max_image_bytes
      || bytes->compare(0, png_signature.size(), png_signature) != 0)
    return std::nullopt;
  auto etag = sha256_etag(*bytes);
  return png_image{std::move(*bytes), std::move(etag)};
}

void read_images(const value& body, const trainer_event_limits& limits,
                 trainer_event& e) {
  auto* images = member(&body, "images");
  if (!images || !images->IsArray())
    return;
  auto list = images->GetArray();
  for (auto i = list.Size(); i > 0; --i) {
    if (e.image) {
      ++e.images_skipped;
      continue;
    }
    e.image = image_of(list[i - 1], limits);
    if (!e.image)
      ++e.images_skipped;
  }
}

} // namespace

std::string_view to_string(trainer_event_type x) {
  switch (x) {
  case trainer_event_type::notification:
    return "notification";
  case trainer_event_type::log_message:
    return "log.message";
  case trainer_event_type::lifecycle_stage:
    return "lifecycle.stage";
  case trainer_event_type::training_status:
    return "training.status";
  case trainer_event_type::checkpoint:
    return "training.checkpoint";
  case trainer_event_type::validation:
    return "training.validation";
  case trainer_event_type::validation_preview:
    return "validation.image";
  case trainer_event_type::error:
    return "error";
  case trainer_event_type::legacy_progress:
    return "progress_update";
  }
  return "notification";
}

bool trainer_progress::empty() const {
  return !step && !total_steps && !percent && !eta_seconds && !loss
         && !learning_rate && !epoch;
}

std::string bound_text(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes)
    return std::string{text};
  constexpr std::string_view ellipsis = "...";
  size_t cut = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  std::string out{text.substr(0, cut)};
  out += ellipsis;
  return out;
}

std::string bound_text_tail(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes)
    return std::string{text};
  constexpr std::string_view ellipsis = "...";
  size_t keep = max_bytes > ellipsis.size() ? max_bytes - ellipsis.size() : 0;
  size_t begin = text.size() - keep;
  while (begin < text.size()
         && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80)
    ++begin;
  std::string out{ellipsis};
  out += text.substr(begin);
  return out;
}

result<trainer_event> parse_trainer_event(std::string_view body,
                                          const trainer_event_limits& limits) {
  rapidjson::Document doc;
  if (auto why = parse_json(doc, body))
    return failure{errc::bad_request, "The body is not JSON: " + *why};
  if (!doc.IsObject())
    return failure{errc::bad_request,
                   "The body must be a JSON object (a trainer event)"};
  trainer_event e;
  e.type_name
      = first_text(&doc, {"type", "event_type", "message_type", "category"})
            .value_or("notification");
  e.type = type_of(e.type_name);
  e.job_id = job_id_of(doc);
  if (e.job_id)
    if (auto ok = check_job_id(*e.job_id); !ok)
      return ok.error();
  e.severity = severity_of(text_of(member(&doc, "severity")));
  e.title = bounded(first_text(&doc, {"title", "headline", "label"}));
  e.message = bounded(first_text(&doc, {"message", "body"}));
  e.timestamp = timestamp_of(member(&doc, "timestamp"));
  e.status = text_of(member(member(&doc, "data"), "status"));
  if (!e.status)
    e.status = text_of(member(&doc, "status"));
  if (e.status)
    e.status = lower(bound_text(*e.status, 64));
  e.error_text = bounded(text_of(member(&doc, "error")));
  if (auto by = text_of(member(&doc, "tracked_by")))
    e.tracked_by = bound_text(*by, 64);
  if (auto tb = text_of(member(&doc, "traceback")))
    e.traceback = bound_text_tail(*tb, max_trainer_traceback_bytes);
  switch (e.type) {
  case trainer_event_type::lifecycle_stage:
    read_stage(doc, e);
    break;
  case trainer_event_type::training_status:
    e.progress = training_progress_of(doc);
    break;
  case trainer_event_type::legacy_progress:
    read_legacy_progress(doc, e);
    break;
  case trainer_event_type::checkpoint:
    e.checkpoint_path
        = bounded(text_of(member(member(&doc, "checkpoint"), "path")));
    break;
  case trainer_event_type::validation:
    read_images(doc, limits, e);
    break;
  default:
    break;
  }
  if (e.stage_key)
    e.stage_key = bound_text(*e.stage_key, 128);
  if (e.stage_label)
    e.stage_label = bound_text(*e.stage_label, 256);
  if (e.stage_status)
    e.stage_status = lower(bound_text(*e.stage_status, 64));
  return e;
}

} // namespace jobsync
