#include "providers/provider.hpp"

namespace jobsync::providers {

provider::~provider() = default;

bool is_transient(errc code) {
  switch (code) {
  case errc::rate_limited:
  case errc::provider_error:
  case errc::timeout:
  case errc::unavailable:
    return true;
  default:
    return false;
  }
}

} // namespace jobsync::providers
