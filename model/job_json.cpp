#include "model/job_json.hpp"

#include "model/money.hpp"

namespace jobsync {

namespace {

void write_fields(json_writer& w, const job& x) {
  w.Key("job_id");
  w.String(x.job_id);
  w.Key("job_type");
  auto type = to_string(x.type);
  write_string(w, type);
  w.Key("provider");
  write_optional(w, x.provider);
  w.Key("status");
  auto status = to_string(x.status);
  write_string(w, status);
  w.Key("provider_status");
  write_optional(w, x.provider_status);
  w.Key("config_name");
  write_optional(w, x.config_name);
  w.Key("created_at");
  w.String(x.created_at);
  w.Key("started_at");
  write_optional(w, x.started_at);
  w.Key("completed_at");
  write_optional(w, x.completed_at);
  w.Key("cost_usd");
  write_optional(w, x.cost_usd ? std::optional<double>{round_usd(*x.cost_usd)}
                               : std::nullopt);
  w.Key("hardware_type");
  write_optional(w, x.hardware_type);
  w.Key("error_message");
  write_optional(w, x.error_message);
  w.Key("output_url");
  write_optional(w, x.output_url);
  w.Key("metadata");
  w.StartObject();
  for (const auto& [key, raw] : x.metadata) {
    write_key(w, key);
    w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

} // namespace

void append_seconds(std::string& out, int64_t ms) {
  out += std::to_string(ms / 1000);
  out += '.';
  auto fraction = static_cast<int>(ms % 1000);
  char digits[3] = {static_cast<char>('0' + fraction / 100),
                    static_cast<char>('0' + fraction / 10 % 10),
                    static_cast<char>('0' + fraction % 10)};
  size_t n = 3;
  while (n > 1 && digits[n - 1] == '0')
    --n;
  out.append(digits, n);
}

rendered_job render_job(const job& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  write_fields(w, x);
  w.EndObject();
  // Without the braces, so that derived members can follow.
  std::string_view object{buf.GetString(), buf.GetSize()};
  return {x.job_id,
          std::string{object.substr(1, object.size() - 2)},
          x.status,
          duration_basis_of(x),
          !x.external_id.empty(),
          x.synced_at};
}

void append_job(std::string& out, const rendered_job& x, unix_ms now,
                const staleness_rule& staleness) {
  out += '{';
  out += x.members;
  out += is_terminal(x.status) ? ",\"is_terminal\":true"
                               : ",\"is_terminal\":false";
  out += is_active(x.status) ? ",\"is_active\":true" : ",\"is_active\":false";
  out += ",\"duration_seconds\":";
  if (auto ms = duration_ms(x.duration, now))
    append_seconds(out, *ms);
  else
    out += "null";
  out += ",\"synced_at\":";
  if (x.synced_at) {
    out += '"';
    out += format_rfc3339(*x.synced_at);
    out += '"';
  } else {
    out += "null";
  }
  out += is_stale(staleness, x.status, x.reached_provider, x.synced_at, now)
             ? ",\"stale\":true"
             : ",\"stale\":false";
  out += '}';
}

void write_job(json_writer& w, const rendered_job& x, unix_ms now,
               const staleness_rule& staleness) {
  std::string object;
  object.reserve(x.members.size() + 140);
  append_job(object, x, now, staleness);
  w.RawValue(object.data(), object.size(), rapidjson::kObjectType);
}

void write_job(json_writer& w, const job& x, unix_ms now,
               const staleness_rule& staleness) {
  write_job(w, render_job(x), now, staleness);
}

std::string stored_job_json(const rendered_job& r, const job& x) {
  std::string out;
  out.reserve(r.members.size() + x.external_id.size() + 24);
  out += '{';
  out += r.members;
  out += ",\"external_id\":";
  out += quote_json(x.external_id);
  out += '}';
  return out;
}

std::optional<job> read_stored_job(const rapidjson::Value& v) {
  if (!v.IsObject())
    return std::nullopt;
  job x;
  auto id = string_member(v, "job_id");
  auto type = string_member(v, "job_type");
  auto status = string_member(v, "status");
  auto created = string_member(v, "created_at");
  if (!id || !type || !status || !created)
    return std::nullopt;
  auto parsed_type = parse_job_type(*type);
  auto parsed_status = parse_status(*status);
  if (!parsed_type || !parsed_status)
    return std::nullopt;
  x.job_id = std::move(*id);
  x.type = *parsed_type;
  x.status = *parsed_status;
  x.created_at = std::move(*created);
  x.provider = string_member(v, "provider");
  x.provider_status = string_member(v, "provider_status");
  x.config_name = string_member(v, "config_name");
  x.started_at = string_member(v, "started_at");
  x.completed_at = string_member(v, "completed_at");
  x.cost_usd = number_member(v, "cost_usd");
  x.hardware_type = string_member(v, "hardware_type");
  x.error_message = string_member(v, "error_message");
  x.output_url = string_member(v, "output_url");
  x.external_id = string_member(v, "external_id").value_or("");
  auto meta = v.FindMember("metadata");
  if (meta != v.MemberEnd() && meta->value.IsObject())
    for (const auto& m : meta->value.GetObject())
      x.metadata.emplace(m.name.GetString(), to_json_text(m.value));
  return x;
}

void write_stored_logs(json_writer& w, const job_logs& x) {
  w.StartObject();
  w.Key("tail");
  w.String(x.tail);
  w.Key("total_bytes");
  w.Uint64(x.total_bytes);
  w.Key("updated_at");
  w.Int64(x.updated_at);
  w.Key("stage");
  write_optional(w, x.progress.stage);
  w.Key("last_log");
  write_optional(w, x.progress.last_log);
  w.Key("progress");
  write_optional(w, x.progress.progress);
  // A trainer's figures (local jobs only), written only when known so that
  // the records of cloud jobs keep their size.
  auto count = [&w](const char* key, const std::optional<int64_t>& n) {
    if (n) {
      w.Key(key);
      w.Int64(*n);
    }
  };
  auto number = [&w](const char* key, const std::optional<double>& n) {
    if (n) {
      w.Key(key);
      w.Double(*n);
    }
  };
  count("step", x.progress.step);
  count("total_steps", x.progress.total_steps);
  number("eta_seconds", x.progress.eta_seconds);
  number("loss", x.progress.loss);
  number("learning_rate", x.progress.learning_rate);
  w.EndObject();
}

std::optional<job_logs> read_stored_logs(const rapidjson::Value& v) {
  if (!v.IsObject())
    return std::nullopt;
  auto tail = string_member(v, "tail");
  auto total = v.FindMember("total_bytes");
  auto updated = v.FindMember("updated_at");
  if (!tail || total == v.MemberEnd() || !total->value.IsUint64()
      || updated == v.MemberEnd() || !updated->value.IsInt64())
    return std::nullopt;
  job_logs x;
  x.tail = std::move(*tail);
  x.total_bytes = total->value.GetUint64();
  x.updated_at = updated->value.GetInt64();
  x.progress.stage = string_member(v, "stage");
  x.progress.last_log = string_member(v, "last_log");
  x.progress.progress = number_member(v, "progress");
  auto count = [&v](const char* key) -> std::optional<int64_t> {
    auto m = v.FindMember(key);
    if (m == v.MemberEnd() || !m->value.IsInt64())
      return std::nullopt;
    return m->value.GetInt64();
  };
  x.progress.step = count("step");
  x.progress.total_steps = count("total_steps");
  x.progress.eta_seconds = number_member(v, "eta_seconds");
  x.progress.loss = number_member(v, "loss");
  x.progress.learning_rate = number_member(v, "learning_rate");
  return x;
}

} // namespace jobsync
