#include "providers/replicate/prediction.hpp"

#include "model/json.hpp"
#include "model/timestamp.hpp"
#include "providers/replicate/pricing.hpp"
#include "providers/replicate/status.hpp"
#include "providers/url.hpp"

namespace jobsync::providers::replicate {

namespace {

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  auto i = obj.FindMember(name);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

std::string_view view(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

// Replicate's timestamps are stored verbatim, but a text that would not sort
// or compute durations is worse than none.
std::optional<std::string> timestamp_member(const rapidjson::Value& body,
                                            const char* name) {
  auto text = string_member(body, name);
  if (!text || !parse_rfc3339(*text))
    return std::nullopt;
  return text;
}

std::optional<std::string> url_of(const rapidjson::Value& v) {
  if (v.IsString() && is_http_url(view(v)))
    return std::string{view(v)};
  return std::nullopt;
}

// Predictions output a URL or a list of files; trainings output an object
// whose `weights` is the trained model.
std::optional<std::string> output_url(const rapidjson::Value& output) {
  if (output.IsString())
    return url_of(output);
  if (output.IsArray()) {
    for (auto& item : output.GetArray())
      if (auto url = url_of(item))
        return url;
    return std::nullopt;
  }
  if (output.IsObject()) {
    for (const char* name : {"weights", "url"})
      if (auto* v = member(output, name))
        if (auto url = url_of(*v))
          return url;
  }
  return std::nullopt;
}

void add_cost(const rapidjson::Value& body, const hardware_pricing& pricing,
              provider_snapshot& out) {
  auto sku = hardware_of(string_member(body, "model"), pricing);
  if (sku.empty())
    return;
  std::optional<double> seconds;
  if (auto* metrics = member(body, "metrics"); metrics && metrics->IsObject())
    seconds = number_member(*metrics, "predict_time");
  auto p = price(sku, seconds, pricing);
  out.hardware_type = std::move(p.hardware_type);
  out.cost_usd = p.cost_usd;
}

void add_metadata(const rapidjson::Value& body, provider_snapshot& out) {
  out.metadata["prediction_id"] = quote_json(out.external_id);
  static constexpr std::pair<const char*, const char*> copied[] = {
      {"model", "model"},
      {"version", "version"},
      {"urls", "urls"},
      {"source", "source"},
      {"webhook", "webhook_url"},
      {"deadline", "deadline"},
      {"data_removed", "data_removed"},
  };
  for (auto [from, to] : copied)
    if (auto* v = member(body, from); v && !v->IsNull())
      out.metadata[to] = to_json_text(*v);
}

failure refuse(std::string reason) {
  return {errc::bad_request, std::move(reason)};
}

} // namespace

result<provider_snapshot> parse_job(const rapidjson::Value& body,
                                    const hardware_pricing& pricing,
                                    std::string_view provider_name) {
  if (!body.IsObject())
    return refuse("the body is not a JSON object");
  auto* id = member(body, "id");
  if (!id)
    return refuse("the object has no `id`");
  if (!id->IsString())
    return refuse("`id` is not a string");
  if (id->GetStringLength() == 0)
    return refuse("`id` is empty");
  auto* status = member(body, "status");
  if (!status)
    return refuse("the object has no `status`");
  if (!status->IsString())
    return refuse("`status` is not a string");
  provider_snapshot out;
  out.provider = std::string{provider_name};
  out.external_id = std::string{view(*id)};
  out.provider_status = std::string{view(*status)};
  out.status = map_status(out.provider_status);
  out.created_at = timestamp_member(body, "created_at");
  out.started_at = timestamp_member(body, "started_at");
  out.completed_at = timestamp_member(body, "completed_at");
  if (auto* error = member(body, "error"); error && !error->IsNull()) {
    // Replicate documents a string, but its clients type it loosely; keep
    // whatever came as text rather than lose it.
    out.error_message
        = error->IsString() ? std::string{view(*error)} : to_json_text(*error);
  }
  if (out.provider_status == "aborted" && !out.error_message)
    out.error_message = std::string{aborted_message};
  out.logs = string_member(body, "logs");
  if (auto* output = member(body, "output"))
    out.output_url = output_url(*output);
  add_cost(body, pricing, out);
  add_metadata(body, out);
  return out;
}

result<provider_snapshot> parse_job_json(std::string_view text,
                                         const hardware_pricing& pricing,
                                         std::string_view provider_name) {
  scratch_document<> scratch;
  if (auto error = parse_json(scratch.get(), text))
    return refuse("the body is not JSON: " + *error);
  return parse_job(scratch.get(), pricing, provider_name);
}

} // namespace jobsync::providers::replicate
