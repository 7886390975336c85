#include "model/event_frame.hpp"

#include "model/json.hpp"

#include <limits>

namespace jobsync {

std::string event_json(const job_changed& e) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("type");
  w.String("job_status_changed");
  w.Key("job_id");
  w.String(e.job_id);
  w.Key("status");
  auto status = to_string(e.status);
  write_string(w, status);
  w.Key("previous_status");
  if (e.previous) {
    auto previous = to_string(*e.previous);
    write_string(w, previous);
  } else {
    w.Null();
  }
  w.Key("provider");
  write_optional(w, e.provider);
  if (e.stage) {
    w.Key("stage");
    w.String(*e.stage);
  }
  if (e.progress) {
    w.Key("progress");
    w.Double(*e.progress);
  }
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string event_frame(const job_changed& e) {
  // JSON text never holds a raw line break (the writer escapes them in
  // strings), so one data: line carries the whole object.
  auto json = event_json(e);
  std::string out;
  out.reserve(json.size() + 32);
  out += "id: ";
  out += std::to_string(e.event_id);
  out += "\ndata: ";
  out += json;
  out += "\n\n";
  return out;
}

std::string resync_frame(uint64_t current_id) {
  return "id: " + std::to_string(current_id)
         + "\ndata: {\"type\":\"resync_required\"}\n\n";
}

std::string connect_frame(std::chrono::milliseconds retry,
                          std::optional<uint64_t> id) {
  std::string out = "retry: " + std::to_string(retry.count()) + "\n";
  if (id)
    out += "id: " + std::to_string(*id) + "\n";
  out += "\n";
  return out;
}

std::string_view keepalive_frame() {
  return ": keepalive\n\n";
}

std::optional<uint64_t> parse_event_id(std::string_view text) {
  if (text.empty() || text.size() > 20)
    return std::nullopt;
  uint64_t value = 0;
  constexpr auto max = std::numeric_limits<uint64_t>::max();
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10)
      return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

} // namespace jobsync
