#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `GET /api/cloud/polling/status`: every poller's state.
handler polling_status(std::shared_ptr<const api> a);

/// `GET /api/cloud/providers/{provider}/validate`: checks the token.
handler validate_provider(std::shared_ptr<const api> a);

} // namespace jobsync::http
