#include "http/health_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"
#include "http/process_start.hpp"
#include "http/query.hpp"

#include <cmath>

namespace jobsync::http {

namespace {

// SimpleTuner rounds its figures to two decimals.
double two_decimals(double x) {
  return std::round(x * 100.0) / 100.0;
}

void write_component(json_writer& w, const health_component& c) {
  w.StartObject();
  w.Key("name");
  w.String(c.name);
  w.Key("status");
  auto status = to_string(c.status);
  write_string(w, status);
  w.Key("message");
  w.String(c.message);
  w.Key("latency_ms");
  if (c.latency_ms)
    w.Double(two_decimals(*c.latency_ms));
  else
    w.Null();
  w.EndObject();
}

} // namespace

handler healthz() {
  return [](const exchange_ptr& ex) {
    ex->respond(json_response([](json_writer& w) {
      w.StartObject();
      w.Key("status");
      w.String("ok");
      w.EndObject();
    }));
  };
}

handler readyz(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().overview,
        [ex](readiness& r) {
          if (!r.ready)
            return ex->respond(
                error_response(errc::unavailable, "Not ready: " + r.reason));
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("status");
            w.String("ready");
            w.EndObject();
          }));
        },
        ready_atom::value);
  };
}

result<bool> parse_health_request(std::string_view raw_query) {
  auto params = query_params::parse(raw_query);
  if (!params)
    return params.error();
  auto v = params->get("include_replicate");
  if (!v)
    return false;
  auto flag = parse_flag(*v);
  if (!flag)
    return failure{errc::bad_request, "Invalid include_replicate '"
                                          + std::string{*v}
                                          + "': must be true, false, 1 or 0"};
  return *flag;
}

std::string health_json(const health_report& r, unix_ms started, unix_ms now) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("status");
  auto status = to_string(overall_status(r));
  write_string(w, status);
  w.Key("uptime_seconds");
  w.Double(two_decimals(static_cast<double>(now - started) / 1000.0));
  w.Key("timestamp");
  w.String(format_rfc3339(now));
  w.Key("components");
  w.StartArray();
  for (const auto& c : r.components)
    write_component(w, c);
  w.EndArray();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

handler cloud_health(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto ask_providers = parse_health_request(ex->query);
    if (!ask_providers)
      return ex->respond(error_response(ask_providers.error()));
    ask(
        *a, ex, a->actors().overview,
        [ex](health_report& r) {
          response out;
          // SimpleTuner answers 200 whatever the report says; a monitor
          // or balancer needs a 503 when nothing can be recorded, while a
          // degraded server (no token, an open circuit) still serves.
          if (overall_status(r) == health_status::unhealthy)
            out.status = 503;
          out.body = health_json(r, process_started(), now_ms());
          ex->respond(std::move(out));
        },
        health_atom::value, *ask_providers);
  };
}

} // namespace jobsync::http
