#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `GET /api/cloud/polling/status`: every poller's state, with the
/// original's `is_active` (some poller runs background cycles) and
/// `preference` (the runtime setting for every provider; null: the
/// configured rule), and the same two per provider.
handler polling_status(std::shared_ptr<const api> a);

/// `PUT /api/cloud/polling/setting`: turns background polling on, off or
/// back to the configured rule (`enabled`: true, false, null), for every
/// provider or one (`provider`), optionally at a new `interval_seconds`.
/// Stored (it survives restarts) and in effect before the answer
/// `{"success": true, "enabled", "is_active"}`. 400 naming the field for a
/// bad body, 404 for a provider that is not polled.
handler polling_setting_put(std::shared_ptr<const api> a);

/// `GET /api/cloud/providers/{provider}/validate`: asks the provider about
/// its token. 200 `{"valid": true, "provider", "username"}`, or 200
/// `{"valid": false, "provider", "detail"}` when the provider refused the
/// token or jobsync has none for it; 404 only for a provider jobsync does
/// not know; 502 (504) only when the provider could not be asked (in
/// time); 429 with Retry-After while the provider asks us to wait.
handler validate_provider(std::shared_ptr<const api> a);

} // namespace jobsync::http
