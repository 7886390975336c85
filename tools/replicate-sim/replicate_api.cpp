#include "tools/replicate-sim/replicate_api.hpp"

#include "tools/replicate-sim/query.hpp"
#include "tools/replicate-sim/sim_time.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace jobsync::sim {

namespace {

// Replicate's bodies, verbatim (tools/replicate-sim/README.md).
constexpr const char* unauthenticated = "Unauthenticated";
constexpr const char* no_token = "You did not pass an authentication token";
constexpr const char* bad_token
    = "You did not pass a valid authentication token";
constexpr const char* not_found_detail
    = "The requested resource could not be found.";
constexpr const char* invalid_version_title
    = "Invalid version or not permitted";
constexpr const char* invalid_version_detail
    = "The specified version does not exist (or perhaps you don't have "
      "permission to use it?)";

constexpr const char* known_events[] = {"start", "output", "logs", "completed"};

// Hand-written on purpose: Go-style durations are what the Cancel-After
// header documents, and no parser for them is at hand.
std::optional<nanos> parse_duration_impl(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size()
           && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
      ++i;
    if (i == start)
      return std::nullopt;
    std::string number{text.substr(start, i - start)};
    char* end = nullptr;
    double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size())
      return std::nullopt;
    size_t unit_start = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z')
      ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "h")
      scale = 3600;
    else if (unit == "m")
      scale = 60;
    else if (unit == "s")
      scale = 1;
    else if (unit == "ms")
      scale = 1e-3;
    else
      return std::nullopt;
    total += value * scale;
  }
  if (!std::isfinite(total) || total > 1e9)
    return std::nullopt;
  return seconds_to_ns(total);
}

struct invalid_field {
  std::string type;
  std::string field;
  std::string description;
};

// Replicate's 422 for schema violations: a bulleted detail plus the
// structured list.
http_reply validation_failed(const std::vector<invalid_field>& fields) {
  std::string detail;
  for (auto& f : fields)
    detail += "- " + f.field + ": " + f.description + "\n";
  return problem_reply(422, "Input validation failed", detail,
                       [&](json_writer& w) {
                         w.Key("invalid_fields");
                         w.StartArray();
                         for (auto& f : fields) {
                           w.StartObject();
                           w.Key("type");
                           w.String(f.type);
                           w.Key("field");
                           w.String(f.field);
                           w.Key("description");
                           w.String(f.description);
                           w.EndObject();
                         }
                         w.EndArray();
                       });
}

const char* json_type_name(const rapidjson::Value& v) {
  if (v.IsNull())
    return "null";
  if (v.IsBool())
    return "boolean";
  if (v.IsNumber())
    return v.IsInt64() || v.IsUint64() ? "integer" : "number";
  if (v.IsString())
    return "string";
  if (v.IsArray())
    return "array";
  return "object";
}

invalid_field wrong_type(const std::string& field, const char* expected,
                         const rapidjson::Value& v) {
  return {"invalid_type", field,
          std::string{"Invalid type. Expected: "} + expected
              + ", given: " + json_type_name(v)};
}

bool is_http_url(std::string_view s) {
  for (std::string_view scheme : {"https://", "http://"})
    if (s.substr(0, scheme.size()) == scheme && s.size() > scheme.size()
        && s.find(' ') == std::string_view::npos)
      return true;
  return false;
}

std::string hardware_json() {
  return R"([{"sku":"cpu","name":"CPU"},)"
         R"({"sku":"gpu-t4","name":"Nvidia T4 GPU"},)"
         R"({"sku":"gpu-a40-small","name":"Nvidia A40 GPU"},)"
         R"({"sku":"gpu-a40-large","name":"Nvidia A40 (Large) GPU"},)"
         R"({"sku":"gpu-l40s","name":"Nvidia L40S GPU"},)"
         R"({"sku":"gpu-2x-l40s","name":"2x Nvidia L40S GPU"},)"
         R"({"sku":"gpu-4x-l40s","name":"4x Nvidia L40S GPU"},)"
         R"({"sku":"gpu-8x-l40s","name":"8x Nvidia L40S GPU"},)"
         R"({"sku":"gpu-a100-large","name":"Nvidia A100 (80GB) GPU"},)"
         R"({"sku":"gpu-h100","name":"Nvidia H100 GPU"},)"
         R"({"sku":"gpu-h100-2x","name":"2x Nvidia H100 GPU"},)"
         R"({"sku":"gpu-h100-4x","name":"4x Nvidia H100 GPU"},)"
         R"({"sku":"gpu-h100-8x","name":"8x Nvidia H100 GPU"}])";
}

enum class action {
  list,
  create,
  get,
  cancel,
  account,
  secret,
  hardware,
  not_found,
  method_not_allowed,
};

} // namespace

std::optional<nanos> parse_duration(std::string_view text) {
  return parse_duration_impl(text);
}

struct replicate_api::route {
  action what = action::not_found;
  // Name used by faults and stats.
  std::string endpoint = "other";
  std::optional<job_kind> kind;
  std::string id;
  // Create variants: the model route's fixed model/version.
  std::string model;
  std::string version;
};

replicate_api::replicate_api(replicate_api_config config, simulator& sim,
                             fault_table& faults, request_stats& stats,
                             rate_limits& limits)
    : config_(std::move(config)), sim_(sim), faults_(faults), stats_(stats),
      limits_(limits) {}

replicate_api::route replicate_api::match(const http_request& request) const {
  auto seg = split_path(request.path);
  auto& m = request.method;
  route r;
  auto expect = [&](const char* method, action what, const char* endpoint) {
    if (m == method) {
      r.what = what;
      r.endpoint = endpoint;
    } else {
      r.what = action::method_not_allowed;
    }
  };
  auto n = seg.size();
  if (n < 2 || seg[0] != "v1")
    return r;
  if (n == 2 && (seg[1] == "predictions" || seg[1] == "trainings")) {
    r.kind = *parse_collection(seg[1]);
    if (m == "GET") {
      r.what = action::list;
      r.endpoint = "list";
    } else if (m == "POST") {
      r.what = action::create;
      r.endpoint = "create";
    } else {
      r.what = action::method_not_allowed;
    }
  } else if ((n == 3 || n == 4)
             && (seg[1] == "predictions" || seg[1] == "trainings")) {
    r.kind = *parse_collection(seg[1]);
    r.id = std::string{seg[2]};
    if (n == 3)
      expect("GET", action::get, "get");
    else if (seg[3] == "cancel")
      expect("POST", action::cancel, "cancel");
  } else if (n == 5 && seg[1] == "models" && seg[4] == "predictions") {
    r.kind = job_kind::prediction;
    r.model = std::string{seg[2]} + "/" + std::string{seg[3]};
    expect("POST", action::create, "create");
  } else if (n == 7 && seg[1] == "models" && seg[4] == "versions"
             && seg[6] == "trainings") {
    r.kind = job_kind::training;
    r.model = std::string{seg[2]} + "/" + std::string{seg[3]};
    r.version = std::string{seg[5]};
    expect("POST", action::create, "create");
  } else if (n == 2 && seg[1] == "account") {
    expect("GET", action::account, "account");
  } else if (n == 4 && seg[1] == "webhooks" && seg[2] == "default"
             && seg[3] == "secret") {
    expect("GET", action::secret, "secret");
  } else if (n == 2 && seg[1] == "hardware") {
    expect("GET", action::hardware, "hardware");
  }
  return r;
}

http_reply replicate_api::handle(const http_request& request) {
  auto wall_ms = wall_now_ms();
  auto r = match(request);
  auto* auth = request.header("authorization");
  // Not `auth ? *auth : ""`: that would copy into a temporary string.
  std::string_view value;
  if (auth != nullptr)
    value = *auth;
  constexpr std::string_view bearer = "Bearer ";
  std::string_view token;
  if (value.substr(0, bearer.size()) == bearer)
    token = value.substr(bearer.size());
  stats_.record(r.endpoint, r.what == action::get ? r.id : std::string{},
                wall_ms, token);
  if (value.empty())
    return problem_reply(401, unauthenticated, no_token);
  bool known = false;
  if (!token.empty())
    for (auto& t : config_.tokens)
      known = known || token == t;
  if (!known)
    return problem_reply(401, unauthenticated, bad_token);
  std::optional<fault_rule> fault = faults_.take(r.endpoint);
  if (fault && fault->kind != fault_kind::slow)
    return fault_reply(*fault, r, wall_ms);
  auto rl = limits_.take(r.what == action::create, wall_ms);
  http_reply reply;
  if (config_.enforce_rate_limits && rl.exceeded) {
    auto wait = std::max<int64_t>(rl.reset, 1);
    stats_.note_retry_after(wall_ms + wait * 1000);
    reply = problem_reply(429, "",
                          "Request was throttled. Your rate limit resets in ~"
                              + std::to_string(wait) + "s.",
                          [&](json_writer& w) {
                            w.Key("retry_after");
                            w.Int64(wait);
                          });
    reply.add_header("Retry-After", std::to_string(wait));
  } else {
    reply = dispatch(r, request);
  }
  reply.add_header("ratelimit-remaining", std::to_string(rl.remaining));
  reply.add_header("ratelimit-reset", std::to_string(rl.reset));
  if (fault)
    reply.delay = std::chrono::milliseconds{fault->delay_ms};
  return reply;
}

http_reply replicate_api::fault_reply(const fault_rule& rule, const route& r,
                                      int64_t wall_ms) {
  if (rule.kind == fault_kind::drop) {
    http_reply reply;
    reply.drop = true;
    return reply;
  }
  if (rule.kind == fault_kind::malformed) {
    // Truncated mid-document: what a proxy cutting the body short yields.
    std::string body
        = r.what == action::list
              ? R"({"next":null,"previous":null,"results":[{"id":")"
              : R"({"id":"x9","status":"process)";
    return json_reply(200, body);
  }
  int status = rule.status;
  auto retry_after = rule.retry_after;
  if (!retry_after && status == 429)
    retry_after = 5;
  http_reply reply;
  if (status == 502 || status == 504) {
    // Gateways in front of Replicate answer with HTML, not problem+json.
    reply.status = status;
    auto line = std::to_string(status) + " " + reason_phrase(status);
    reply.body = "<html>\r\n<head><title>" + line
                 + "</title></head>\r\n<body>\r\n<center><h1>" + line
                 + "</h1></center>\r\n</body>\r\n</html>\r\n";
    reply.add_header("Content-Type", "text/html");
  } else if (status == 429) {
    reply = problem_reply(429, "",
                          "Request was throttled. Your rate limit resets in ~"
                              + std::to_string(*retry_after) + "s.",
                          [&](json_writer& w) {
                            w.Key("retry_after");
                            w.Int(*retry_after);
                          });
  } else {
    reply
        = problem_reply(status, reason_phrase(status),
                        "Injected fault (replicate-sim)", [&](json_writer& w) {
                          if (retry_after) {
                            w.Key("retry_after");
                            w.Int(*retry_after);
                          }
                        });
  }
  if (retry_after) {
    int64_t until_ms = 0;
    if (rule.retry_after_date) {
      // An HTTP date has whole seconds: round up so that a client waiting
      // until the date never comes back early by our own truncation.
      auto date = (wall_ms + *retry_after * 1000 + 999) / 1000;
      until_ms = date * 1000;
      reply.add_header("Retry-After", format_http_date(date));
    } else {
      until_ms = wall_ms + *retry_after * 1000;
      reply.add_header("Retry-After", std::to_string(*retry_after));
    }
    stats_.note_retry_after(until_ms);
  }
  return reply;
}

http_reply replicate_api::from_result(const json_result& result, int status) {
  if (auto* body = std::get_if<std::string>(&result))
    return json_reply(status, *body);
  auto& error = std::get<sim_error>(result);
  switch (error.code) {
  case sim_errc::invalid_version:
    return problem_reply(422, invalid_version_title, invalid_version_detail);
  case sim_errc::invalid_destination:
    return problem_reply(404, "", error.detail);
  case sim_errc::conflict:
    return problem_reply(409, "Conflict", error.detail);
  case sim_errc::not_found:
    break;
  }
  return problem_reply(404, "", not_found_detail);
}

http_reply replicate_api::dispatch(const route& r,
                                   const http_request& request) {
  switch (r.what) {
  case action::list:
    return list(r, request);
  case action::create:
    return create(r, request);
  case action::get:
    // Training create responses link to /v1/predictions/<id>, so that
    // route finds trainings too; /v1/trainings/<id> only trainings.
    return from_result(
        sim_.get(r.id, r.kind == job_kind::training ? r.kind : std::nullopt),
        200);
  case action::cancel:
    return from_result(
        sim_.cancel(r.id, r.kind == job_kind::training ? r.kind : std::nullopt),
        200);
  case action::account:
    return json_reply(200, R"({"type":"user","username":")" + config_.username
                               + R"(","name":"Replicate Sim",)"
                                 R"("github_url":"https://github.com/)"
                               + config_.username + R"("})");
  case action::secret:
    return json_reply(200, R"({"key":")" + config_.webhook_secret + R"("})");
  case action::hardware:
    return json_reply(200, hardware_json());
  case action::method_not_allowed:
    return problem_reply(405, "",
                         "Method \"" + request.method + "\" not allowed.");
  case action::not_found:
    break;
  }
  return problem_reply(404, "", not_found_detail);
}

http_reply replicate_api::list(const route& r, const http_request& request) {
  auto params = parse_query(request.query);
  if (!params)
    return problem_reply(400, "Invalid query string",
                         "The query string is not correctly URL-encoded.");
  page_request page;
  page.kind = *r.kind;
  for (const char* name : {"created_after", "created_before"}) {
    auto* v = find_param(*params, name);
    if (v == nullptr)
      continue;
    auto t = parse_time(*v);
    if (!t)
      return problem_reply(400, "Invalid query parameter",
                           std::string{name}
                               + " must be an ISO 8601 date-time, e.g. "
                                 "2025-06-08T12:06:15Z");
    if (std::string_view{name} == "created_after")
      page.filter.created_after = t;
    else
      page.filter.created_before = t;
  }
  if (auto* source = find_param(*params, "source"); source && *source == "web")
    page.filter.web_only = true;
  if (auto* c = find_param(*params, "cursor")) {
    auto cursor = decode_cursor(*c);
    if (!cursor)
      return problem_reply(404, "", "Invalid cursor");
    (cursor->reverse ? page.before : page.after) = cursor->position;
  }
  // Links keep the filters and replace the cursor.
  query_params kept;
  for (auto& p : *params)
    if (p.first != "cursor")
      kept.push_back(p);
  auto base = sim_.base_url() + "/" + collection_name(page.kind);
  auto link = [&](const list_cursor& c) {
    query_params q{{"cursor", encode_cursor(c)}};
    q.insert(q.end(), kept.begin(), kept.end());
    return base + "?" + build_query(q);
  };
  return json_reply(200, sim_.list(page, link));
}

http_reply replicate_api::create(const route& r, const http_request& request) {
  rapidjson::Document doc;
  doc.Parse(request.body.data(), request.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return problem_reply(400, "Invalid JSON",
                         "The request body must be a JSON object.");
  bool training = r.kind == job_kind::training;
  bool model_route = !r.model.empty();
  std::vector<std::string> allowed{"input", "webhook", "webhook_events_filter"};
  if (!training)
    allowed.push_back("stream");
  if (!model_route)
    allowed.push_back("version");
  if (training)
    allowed.push_back("destination");
  std::vector<invalid_field> problems;
  for (auto& m : doc.GetObject()) {
    std::string key{m.name.GetString(), m.name.GetStringLength()};
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      problems.push_back({"additional_property_not_allowed", "(root)",
                          "Additional property " + key + " is not allowed"});
  }
  create_spec spec;
  spec.kind = *r.kind;
  auto member = [&](const char* name) -> const rapidjson::Value* {
    auto i = doc.FindMember(name);
    return i == doc.MemberEnd() ? nullptr : &i->value;
  };
  if (model_route) {
    auto* m = sim_.models().find_model(r.model);
    if (training) {
      // The model route names model and version in the path; a wrong one
      // is a missing resource, not a validation error.
      if (m == nullptr || m->version != r.version)
        return problem_reply(404, "", not_found_detail);
      spec.version = r.model + ":" + r.version;
    } else {
      spec.version = r.model;
    }
  } else if (auto* v = member("version")) {
    if (v->IsString())
      spec.version.assign(v->GetString(), v->GetStringLength());
    else
      problems.push_back(wrong_type("version", "string", *v));
  } else {
    problems.push_back({"required", "(root)", "version is required"});
  }
  if (auto* in = member("input")) {
    if (in->IsObject())
      spec.input_json = to_json_text(*in);
    else
      problems.push_back(wrong_type("input", "object", *in));
  } else {
    problems.push_back({"required", "(root)", "input is required"});
  }
  if (training) {
    if (auto* d = member("destination")) {
      if (d->IsString())
        spec.destination.assign(d->GetString(), d->GetStringLength());
      else
        problems.push_back(wrong_type("destination", "string", *d));
    } else {
      problems.push_back({"required", "(root)", "destination is required"});
    }
  }
  if (auto* wh = member("webhook"); wh && !wh->IsNull()) {
    if (!wh->IsString())
      problems.push_back(wrong_type("webhook", "string", *wh));
    else if (!is_http_url({wh->GetString(), wh->GetStringLength()}))
      problems.push_back({"format", "webhook", "Does not match format 'uri'"});
    else
      spec.webhook = std::string{wh->GetString(), wh->GetStringLength()};
  }
  if (auto* f = member("webhook_events_filter"); f && !f->IsNull()) {
    if (!f->IsArray()) {
      problems.push_back(wrong_type("webhook_events_filter", "array", *f));
    } else {
      std::vector<std::string> events;
      for (auto& e : f->GetArray()) {
        std::string name = e.IsString() ? e.GetString() : "";
        if (std::find(std::begin(known_events), std::end(known_events), name)
            == std::end(known_events)) {
          problems.push_back(
              {"enum", "webhook_events_filter",
               "webhook_events_filter must be one of the following: "
               "\"start\", \"output\", \"logs\", \"completed\""});
          break;
        }
        if (std::find(events.begin(), events.end(), name) == events.end())
          events.push_back(name);
      }
      spec.webhook_events_filter = std::move(events);
    }
  }
  if (auto* s = member("stream"); s && !s->IsBool() && !s->IsNull())
    problems.push_back(wrong_type("stream", "boolean", *s));
  if (!problems.empty())
    return validation_failed(problems);
  if (auto* h = request.header("cancel-after")) {
    auto d = parse_duration(*h);
    if (!d)
      return problem_reply(400, "Invalid Cancel-After header",
                           "Cancel-After must be a duration such as 30s, "
                           "5m or 1h30m.");
    // Replicate's documented minimum is 5 s; shorter values are raised.
    spec.cancel_after = std::max(*d, 5 * ns_per_second);
  }
  return from_result(sim_.create(spec), 201);
}

} // namespace jobsync::sim
