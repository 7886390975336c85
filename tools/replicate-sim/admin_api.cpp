#include "tools/replicate-sim/admin_api.hpp"

#include "tools/replicate-sim/sim_time.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>

namespace jobsync::sim {

namespace {

http_reply bad_request(const std::string& detail) {
  return problem_reply(400, "Bad Request", detail);
}

http_reply not_found() {
  return problem_reply(404, "", "The requested resource could not be found.");
}

// Parses an admin body: empty means `{}`; anything else must be an object
// whose keys are all in `allowed` (typos in tests should fail loudly).
std::optional<std::string>
parse_body(const http_request& request, rapidjson::Document& doc,
           std::initializer_list<std::string_view> allowed) {
  if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    doc.SetObject();
    return std::nullopt;
  }
  doc.Parse(request.body.data(), request.body.size());
  if (doc.HasParseError() || !doc.IsObject())
    return std::string{"the body must be a JSON object"};
  for (auto& m : doc.GetObject()) {
    std::string_view key{m.name.GetString(), m.name.GetStringLength()};
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return "unknown field '" + std::string{key} + "'";
  }
  return std::nullopt;
}

const rapidjson::Value* member(const rapidjson::Document& doc,
                               const char* name) {
  auto i = doc.FindMember(name);
  return i == doc.MemberEnd() || i->value.IsNull() ? nullptr : &i->value;
}

// Field readers: each returns an error text, or nullopt when the field is
// absent or valid (then `out` is set).
template <class T>
std::optional<std::string> read_number(const rapidjson::Document& doc,
                                       const char* name, double lo, double hi,
                                       std::optional<T>& out) {
  auto* v = member(doc, name);
  if (v == nullptr)
    return std::nullopt;
  if (!v->IsNumber() || !std::isfinite(v->GetDouble()) || v->GetDouble() < lo
      || v->GetDouble() > hi)
    return std::string{name} + " must be a number in [" + std::to_string(lo)
           + ", " + std::to_string(hi) + "]";
  if constexpr (std::is_integral_v<T>) {
    if (std::floor(v->GetDouble()) != v->GetDouble())
      return std::string{name} + " must be an integer";
  }
  out = static_cast<T>(v->GetDouble());
  return std::nullopt;
}

std::optional<std::string> read_string(const rapidjson::Document& doc,
                                       const char* name,
                                       std::optional<std::string>& out) {
  auto* v = member(doc, name);
  if (v == nullptr)
    return std::nullopt;
  if (!v->IsString())
    return std::string{name} + " must be a string";
  out = std::string{v->GetString(), v->GetStringLength()};
  return std::nullopt;
}

std::optional<std::string>
read_events(const rapidjson::Document& doc,
            std::optional<std::vector<std::string>>& out) {
  auto* v = member(doc, "webhook_events_filter");
  if (v == nullptr)
    return std::nullopt;
  if (!v->IsArray())
    return std::string{"webhook_events_filter must be an array"};
  std::vector<std::string> events;
  for (auto& e : v->GetArray()) {
    std::string name = e.IsString() ? e.GetString() : "";
    if (name != "start" && name != "output" && name != "logs"
        && name != "completed")
      return "unknown webhook event '" + name + "'";
    events.push_back(name);
  }
  out = std::move(events);
  return std::nullopt;
}

} // namespace

admin_api::admin_api(simulator& sim, fault_table& faults, request_stats& stats,
                     webhook_sender& sender)
    : sim_(sim), faults_(faults), stats_(stats), sender_(sender) {}

http_reply admin_api::handle(const http_request& request) {
  auto seg = split_path(request.path);
  auto& m = request.method;
  auto n = seg.size();
  auto method_not_allowed = [&] {
    return problem_reply(405, "", "Method \"" + m + "\" not allowed.");
  };
  if (n < 2)
    return not_found();
  auto what = seg[1];
  if (what == "jobs" && n == 2)
    return m == "POST" ? create_jobs(request) : method_not_allowed();
  if (what == "jobs" && (n == 3 || n == 4))
    return job_action(seg[2], n == 4 ? seg[3] : std::string_view{}, request);
  if (what == "clock" && n == 2)
    return clock(request);
  if (what == "faults" && n == 2) {
    if (m == "POST")
      return add_fault(request);
    if (m == "GET")
      return list_faults();
    if (m == "DELETE")
      return json_reply(200, "{\"cleared\":" + std::to_string(faults_.clear())
                                 + "}");
    return method_not_allowed();
  }
  if (what == "stats" && n == 2)
    return m == "GET" ? json_reply(200, stats_.to_json(sender_.counters()))
                      : method_not_allowed();
  if (what == "stats" && n == 3 && seg[2] == "reset") {
    if (m != "POST")
      return method_not_allowed();
    stats_.reset();
    sender_.reset_counters();
    return json_reply(200, "{}");
  }
  if (what == "webhooks" && n == 2)
    return m == "GET" ? webhooks() : method_not_allowed();
  if (what == "webhooks" && n == 3 && seg[2] == "drops") {
    if (m == "POST")
      return add_drop(request);
    if (m == "DELETE")
      return json_reply(
          200, "{\"cleared\":" + std::to_string(sender_.clear_drops()) + "}");
    return method_not_allowed();
  }
  if (what == "models" && n == 2)
    return m == "GET" ? models() : method_not_allowed();
  if (what == "health" && n == 2)
    return json_reply(
        200, "{\"ok\":true,\"jobs\":" + std::to_string(sim_.size()) + "}");
  return not_found();
}

http_reply admin_api::create_jobs(const http_request& request) {
  rapidjson::Document doc;
  if (auto e = parse_body(
          request, doc,
          {"count", "collection", "status", "created_spread_seconds", "webhook",
           "webhook_events_filter", "model", "starting_seconds",
           "processing_seconds", "outcome", "steps", "input", "source"}))
    return bad_request(*e);
  admin_job_spec spec;
  std::optional<size_t> count;
  std::optional<double> spread;
  std::optional<std::string> collection, status, outcome, source;
  std::optional<int> steps;
  std::optional<std::string> error;
  auto check = [&](std::optional<std::string> e) {
    if (e && !error)
      error = std::move(e);
  };
  check(read_number(doc, "count", 1, 100000, count));
  check(read_number(doc, "created_spread_seconds", 0, 1e10, spread));
  check(read_number(doc, "starting_seconds", 0, 1e8, spec.starting_seconds));
  check(
      read_number(doc, "processing_seconds", 0, 1e8, spec.processing_seconds));
  check(read_number(doc, "steps", 1, 1e7, steps));
  check(read_string(doc, "collection", collection));
  check(read_string(doc, "status", status));
  check(read_string(doc, "outcome", outcome));
  check(read_string(doc, "webhook", spec.webhook));
  check(read_string(doc, "model", spec.model));
  check(read_string(doc, "source", source));
  check(read_events(doc, spec.webhook_events_filter));
  if (error)
    return bad_request(*error);
  spec.count = count.value_or(1);
  spec.created_spread_seconds = spread.value_or(0);
  spec.steps = steps;
  if (collection) {
    auto kind = parse_collection(*collection);
    if (!kind)
      return bad_request("collection must be predictions or trainings");
    spec.kind = *kind;
  }
  if (status) {
    spec.status = parse_status(*status);
    if (!spec.status)
      return bad_request("unknown status '" + *status + "'");
  }
  if (outcome) {
    spec.outcome = parse_status(*outcome);
    if (!spec.outcome || *spec.outcome == job_status::starting
        || *spec.outcome == job_status::processing
        || *spec.outcome == job_status::aborted)
      return bad_request("outcome must be succeeded, failed or canceled");
  }
  if (source) {
    if (*source != "api" && *source != "web")
      return bad_request("source must be api or web");
    spec.source = source;
  }
  if (spec.model && !catalog::is_model_name(*spec.model))
    return bad_request("model must be owner/name");
  if (spec.webhook && spec.webhook->rfind("http://", 0) != 0
      && spec.webhook->rfind("https://", 0) != 0)
    return bad_request("webhook must be an http(s) URL");
  if (auto* in = member(doc, "input")) {
    if (!in->IsObject())
      return bad_request("input must be an object");
    spec.input_json = to_json_text(*in);
  }
  auto ids = sim_.admin_create(spec);
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("ids");
  w.StartArray();
  for (auto& id : ids)
    w.String(id);
  w.EndArray();
  w.EndObject();
  return json_reply(200, {buf.GetString(), buf.GetSize()});
}

http_reply admin_api::job_action(std::string_view id, std::string_view action,
                                 const http_request& request) {
  auto reply = [](const json_result& r) {
    if (auto* body = std::get_if<std::string>(&r))
      return json_reply(200, *body);
    auto& e = std::get<sim_error>(r);
    if (e.code == sim_errc::conflict)
      return problem_reply(409, "Conflict", e.detail);
    return not_found();
  };
  auto& m = request.method;
  if (action.empty()) {
    if (m == "GET")
      return reply(sim_.get(id, std::nullopt));
    if (m == "DELETE") {
      if (!sim_.erase(id))
        return not_found();
      return json_reply(200, "{\"deleted\":\"" + std::string{id} + "\"}");
    }
  } else if (action == "advance" && m == "POST") {
    rapidjson::Document doc;
    if (auto e = parse_body(request, doc, {"to"}))
      return bad_request(*e);
    std::optional<std::string> to;
    if (auto e = read_string(doc, "to", to))
      return bad_request(*e);
    if (!to)
      return bad_request("to is required");
    auto status = parse_status(*to);
    if (!status || *status == job_status::starting)
      return bad_request("to must be processing, succeeded, failed, "
                         "canceled or aborted");
    return reply(sim_.advance(id, *status));
  } else if (action == "logs" && m == "POST") {
    rapidjson::Document doc;
    if (auto e = parse_body(request, doc, {"append"}))
      return bad_request(*e);
    std::optional<std::string> text;
    if (auto e = read_string(doc, "append", text))
      return bad_request(*e);
    if (!text)
      return bad_request("append is required");
    return reply(sim_.append_logs(id, std::move(*text)));
  } else if (action != "advance" && action != "logs") {
    return not_found();
  }
  return problem_reply(405, "", "Method \"" + m + "\" not allowed.");
}

http_reply admin_api::clock(const http_request& request) {
  if (request.method == "GET")
    return json_reply(200, sim_.clock_json());
  if (request.method != "POST")
    return problem_reply(405, "",
                         "Method \"" + request.method + "\" not allowed.");
  rapidjson::Document doc;
  if (auto e = parse_body(request, doc, {"advance_seconds", "speed"}))
    return bad_request(*e);
  std::optional<double> advance, speed;
  if (auto e = read_number(doc, "advance_seconds", 0, 1e10, advance))
    return bad_request(*e);
  if (auto e = read_number(doc, "speed", 0, 1e6, speed))
    return bad_request(*e);
  if (!advance && !speed)
    return bad_request("give advance_seconds and/or speed");
  if (speed)
    sim_.set_speed(*speed);
  if (advance)
    sim_.advance_clock(seconds_to_ns(*advance));
  return json_reply(200, sim_.clock_json());
}

http_reply admin_api::add_fault(const http_request& request) {
  rapidjson::Document doc;
  if (auto e
      = parse_body(request, doc,
                   {"endpoint", "kind", "status", "retry_after",
                    "retry_after_format", "delay_ms", "probability", "count"}))
    return bad_request(*e);
  fault_rule rule;
  std::optional<std::string> endpoint, kind, format;
  std::optional<int> status, retry_after, delay_ms, count;
  std::optional<double> probability;
  std::optional<std::string> error;
  auto check = [&](std::optional<std::string> e) {
    if (e && !error)
      error = std::move(e);
  };
  check(read_string(doc, "endpoint", endpoint));
  check(read_string(doc, "kind", kind));
  check(read_string(doc, "retry_after_format", format));
  check(read_number(doc, "status", 100, 599, status));
  check(read_number(doc, "retry_after", 0, 86400, retry_after));
  check(read_number(doc, "delay_ms", 0, 600000, delay_ms));
  check(read_number(doc, "probability", 0, 1, probability));
  check(read_number(doc, "count", 1, 1e9, count));
  if (error)
    return bad_request(*error);
  if (endpoint) {
    if (!is_fault_endpoint(*endpoint))
      return bad_request("unknown endpoint '" + *endpoint + "'");
    rule.endpoint = *endpoint;
  }
  if (kind) {
    auto k = parse_fault_kind(*kind);
    if (!k)
      return bad_request("kind must be status, slow, drop or malformed");
    rule.kind = *k;
  }
  if (format) {
    if (*format != "seconds" && *format != "date")
      return bad_request("retry_after_format must be seconds or date");
    rule.retry_after_date = *format == "date";
  }
  rule.status = status.value_or(503);
  rule.retry_after = retry_after;
  rule.delay_ms = delay_ms.value_or(rule.kind == fault_kind::slow ? 1000 : 0);
  rule.probability = probability.value_or(1.0);
  if (count)
    rule.remaining = count;
  auto id = faults_.add(rule);
  return json_reply(200, "{\"id\":" + std::to_string(id) + "}");
}

http_reply admin_api::list_faults() const {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("faults");
  w.StartArray();
  for (auto& r : faults_.rules()) {
    w.StartObject();
    w.Key("id");
    w.Int(r.id);
    w.Key("endpoint");
    w.String(r.endpoint);
    w.Key("kind");
    w.String(to_string(r.kind));
    w.Key("status");
    w.Int(r.status);
    w.Key("retry_after");
    if (r.retry_after)
      w.Int(*r.retry_after);
    else
      w.Null();
    w.Key("retry_after_format");
    w.String(r.retry_after_date ? "date" : "seconds");
    w.Key("delay_ms");
    w.Int(r.delay_ms);
    w.Key("probability");
    w.Double(r.probability);
    w.Key("remaining");
    if (r.remaining)
      w.Int(*r.remaining);
    else
      w.Null();
    w.Key("hits");
    w.Int(r.hits);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json_reply(200, {buf.GetString(), buf.GetSize()});
}

http_reply admin_api::webhooks() const {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("pending");
  w.Uint64(sender_.pending());
  w.Key("attempts");
  w.StartArray();
  for (auto& a : sender_.recent()) {
    w.StartObject();
    w.Key("msg_id");
    w.String(a.msg_id);
    w.Key("job_id");
    w.String(a.job_id);
    w.Key("event");
    w.String(a.event);
    w.Key("url");
    w.String(a.url);
    w.Key("attempt");
    w.Int(a.attempt);
    w.Key("status");
    w.Int64(a.status);
    w.Key("error");
    w.String(a.error);
    w.Key("at_unix_ms");
    w.Int64(a.at_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json_reply(200, {buf.GetString(), buf.GetSize()});
}

http_reply admin_api::add_drop(const http_request& request) {
  rapidjson::Document doc;
  if (auto e = parse_body(request, doc, {"job_id", "event", "count"}))
    return bad_request(*e);
  std::optional<std::string> job_id;
  std::optional<std::string> event;
  std::optional<int> count;
  if (auto e = read_string(doc, "job_id", job_id))
    return bad_request(*e);
  if (auto e = read_string(doc, "event", event))
    return bad_request(*e);
  if (auto e = read_number(doc, "count", 1, 1000000, count))
    return bad_request(*e);
  if (!job_id || job_id->empty())
    return bad_request("job_id is required");
  auto which = event.value_or("completed");
  if (which != "start" && which != "output" && which != "logs"
      && which != "completed" && which != "*")
    return bad_request("unknown webhook event '" + which + "'");
  sender_.drop(*job_id, which, count.value_or(1));
  return json_reply(200, "{}");
}

http_reply admin_api::models() const {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("models");
  w.StartArray();
  for (auto& m : sim_.models().models()) {
    w.StartObject();
    w.Key("name");
    w.String(m.name);
    w.Key("version");
    w.String(m.version);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json_reply(200, {buf.GetString(), buf.GetSize()});
}

} // namespace jobsync::sim
