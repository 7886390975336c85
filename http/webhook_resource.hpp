#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `POST /api/webhooks/{provider}`: a provider's webhook deliveries, handed
/// to that provider's receiver (404 for a provider jobsync does not know).
/// Not guarded by the API token: the Standard Webhooks signature is its
/// authentication. Answers 200 only after the change is committed:
/// `{"status": "received" | "duplicate", "job_id": ..., "job_status": ...,
/// "created": bool, "changed": bool}`; 401 for a missing or bad signature,
/// 429 (with Retry-After) once an address failed too many checks, 400 for a
/// body that is not a prediction or training object.
handler receive_webhook(std::shared_ptr<const api> a);

} // namespace jobsync::http
