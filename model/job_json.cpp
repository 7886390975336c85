#include "model/job_json.hpp"

namespace jobsync {

namespace {

void write_fields(json_writer& w, const job& x) {
  w.Key("job_id");
  w.String(x.job_id);
  w.Key("job_type");
  auto type = to_string(x.type);
  w.String(type.data(), static_cast<rapidjson::SizeType>(type.size()));
  w.Key("provider");
  write_optional(w, x.provider);
  w.Key("status");
  auto status = to_string(x.status);
  w.String(status.data(), static_cast<rapidjson::SizeType>(status.size()));
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
  write_optional(w, x.cost_usd);
  w.Key("hardware_type");
  write_optional(w, x.hardware_type);
  w.Key("error_message");
  write_optional(w, x.error_message);
  w.Key("output_url");
  write_optional(w, x.output_url);
  w.Key("metadata");
  w.StartObject();
  for (const auto& [key, raw] : x.metadata) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.RawValue(raw.data(), raw.size(), rapidjson::kObjectType);
  }
  w.EndObject();
}

} // namespace

void write_job(json_writer& w, const job& x, unix_ms now) {
  w.StartObject();
  write_fields(w, x);
  w.Key("is_terminal");
  w.Bool(is_terminal(x.status));
  w.Key("is_active");
  w.Bool(is_active(x.status));
  w.Key("duration_seconds");
  write_optional(w, duration_seconds(x, now));
  w.EndObject();
}

void write_stored_job(json_writer& w, const job& x) {
  w.StartObject();
  write_fields(w, x);
  w.Key("external_id");
  w.String(x.external_id);
  w.EndObject();
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
  return x;
}

} // namespace jobsync
