#include "tools/replicate-sim/http_types.hpp"

namespace jobsync::sim {

const std::string* http_request::header(std::string_view lower_name) const {
  for (auto& [k, v] : headers)
    if (k == lower_name)
      return &v;
  return nullptr;
}

const char* reason_phrase(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 402:
    return "Payment Required";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 409:
    return "Conflict";
  case 410:
    return "Gone";
  case 413:
    return "Payload Too Large";
  case 422:
    return "Unprocessable Entity";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 501:
    return "Not Implemented";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "Unknown";
  }
}

http_reply json_reply(int status, std::string body) {
  http_reply r;
  r.status = status;
  r.body = std::move(body);
  r.add_header("Content-Type", "application/json");
  return r;
}

http_reply problem_reply(int status, std::string_view title,
                         std::string_view detail,
                         const std::function<void(json_writer&)>& extra) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  if (!title.empty()) {
    w.Key("title");
    write_string(w, title);
  }
  w.Key("detail");
  write_string(w, detail);
  w.Key("status");
  w.Int(status);
  if (extra)
    extra(w);
  w.EndObject();
  http_reply r;
  r.status = status;
  r.body.assign(buf.GetString(), buf.GetSize());
  r.add_header("Content-Type", "application/problem+json");
  return r;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    auto slash = path.find('/');
    auto part = path.substr(0, slash);
    if (!part.empty())
      out.push_back(part);
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

} // namespace jobsync::sim
