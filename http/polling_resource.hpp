#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `GET /api/cloud/polling/status`: every poller's state.
handler polling_status(std::shared_ptr<const api> a);

/// `GET /api/cloud/providers/{provider}/validate`: asks the provider about
/// its token. 200 `{"valid": true, "provider", "username"}`, or 200
/// `{"valid": false, "provider", "detail"}` when the provider refused the
/// token or jobsync has none for it; 404 only for a provider jobsync does
/// not know; 502 (504) only when the provider could not be asked (in
/// time); 429 with Retry-After while the provider asks us to wait.
handler validate_provider(std::shared_ptr<const api> a);

} // namespace jobsync::http
