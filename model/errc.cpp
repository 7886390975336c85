#include "model/errc.hpp"

namespace jobsync {

std::string_view to_string(errc x) {
  switch (x) {
  case errc::bad_request:
    return "bad_request";
  case errc::unauthorized:
    return "unauthorized";
  case errc::forbidden:
    return "forbidden";
  case errc::job_not_found:
    return "job_not_found";
  case errc::not_found:
    return "not_found";
  case errc::invalid_job_state:
    return "invalid_job_state";
  case errc::payload_too_large:
    return "payload_too_large";
  case errc::rate_limited:
    return "rate_limited";
  case errc::provider_error:
    return "provider_error";
  case errc::unavailable:
    return "unavailable";
  case errc::timeout:
    return "timeout";
  case errc::internal:
    return "internal";
  case errc::method_not_allowed:
    return "method_not_allowed";
  }
  return "internal";
}

} // namespace jobsync
