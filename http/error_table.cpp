#include "http/error_table.hpp"

#include "model/json.hpp"

namespace jobsync::http {

int status_of(errc code) {
  switch (code) {
  case errc::bad_request:
    return 400;
  case errc::unauthorized:
    return 401;
  case errc::forbidden:
    return 403;
  case errc::job_not_found:
  case errc::not_found:
    return 404;
  case errc::method_not_allowed:
    return 405;
  case errc::invalid_job_state:
    return 409;
  case errc::payload_too_large:
    return 413;
  case errc::rate_limited:
    return 429;
  case errc::provider_error:
    return 502;
  case errc::unavailable:
    return 503;
  case errc::timeout:
    return 504;
  case errc::internal:
    return 500;
  }
  return 500;
}

response error_response(const failure& f) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("detail");
  w.String(f.detail);
  w.Key("error");
  auto code = to_string(f.code);
  write_string(w, code);
  w.EndObject();
  response r;
  r.status = status_of(f.code);
  r.body.assign(buf.GetString(), buf.GetSize());
  if (f.code == errc::rate_limited && f.retry_after)
    r.headers.emplace_back("Retry-After",
                           std::to_string(f.retry_after->count()));
  if (f.code == errc::unauthorized)
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

response error_response(errc code, std::string detail) {
  return error_response(failure{code, std::move(detail)});
}

} // namespace jobsync::http
