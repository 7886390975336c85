#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `POST /api/cloud/jobs/sync`: discover jobs at the providers.
handler sync_jobs(std::shared_ptr<const api> a);

/// `POST /api/cloud/jobs/{job_id}/cancel`: cancel at the provider, store
/// `cancelled`.
handler cancel_job(std::shared_ptr<const api> a);

} // namespace jobsync::http
