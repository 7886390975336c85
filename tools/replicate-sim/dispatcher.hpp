#pragma once

#include "tools/replicate-sim/admin_api.hpp"
#include "tools/replicate-sim/http_types.hpp"
#include "tools/replicate-sim/replicate_api.hpp"

namespace jobsync::sim {

/// The top of the request path: `/v1` to the Replicate API, `/_admin` to
/// the admin API, everything else 404 (never RESTinio's 501). Converts any
/// escaping exception into a 500, so no connection is ever closed by
/// accident.
class dispatcher {
public:
  /// Routes to `api` and `admin`; `verbose` logs every request.
  dispatcher(replicate_api& api, admin_api& admin, bool verbose);

  /// Answers one request. Never throws.
  http_reply handle(const http_request& request) noexcept;

private:
  http_reply route(const http_request& request);

  replicate_api& api_;
  admin_api& admin_;
  bool verbose_;
};

} // namespace jobsync::sim
