#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `POST /callback`: one report of a local trainer (SimpleTuner's raw
/// webhook). Checks the sender (`X-API-Key`, or a loopback address when no
/// key is configured), reads the report and answers SimpleTuner's
/// `{"message": "Callback received successfully"}` once the registry has
/// committed it.
handler receive_trainer_report(std::shared_ptr<const api> a);

/// `GET /api/cloud/jobs/{job_id}/validation/latest`: the newest validation
/// image of a local job (`image/png`, strong ETag, 304 on If-None-Match).
handler latest_validation_image(std::shared_ptr<const api> a);

} // namespace jobsync::http
