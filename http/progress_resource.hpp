#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `GET /api/cloud/jobs/{job_id}/inline-progress`: stage, last log line and
/// progress of a running job (nulls otherwise).
handler inline_progress(std::shared_ptr<const api> a);

/// `GET /api/cloud/jobs/{job_id}/logs`: the full log text.
handler job_logs(std::shared_ptr<const api> a);

} // namespace jobsync::http
