#include "providers/provider_error.hpp"

namespace jobsync::providers {

std::string_view to_string(provider_error_kind x) {
  switch (x) {
  case provider_error_kind::unauthorized:
    return "unauthorized";
  case provider_error_kind::not_found:
    return "not_found";
  case provider_error_kind::invalid:
    return "invalid";
  case provider_error_kind::rate_limited:
    return "rate_limited";
  case provider_error_kind::provider_failure:
    return "provider_failure";
  case provider_error_kind::timeout:
    return "timeout";
  case provider_error_kind::network:
    return "network";
  case provider_error_kind::malformed:
    break;
  }
  return "malformed";
}

bool is_transient(provider_error_kind x) {
  switch (x) {
  case provider_error_kind::rate_limited:
  case provider_error_kind::provider_failure:
  case provider_error_kind::timeout:
  case provider_error_kind::network:
    return true;
  default:
    return false;
  }
}

} // namespace jobsync::providers
