#include "http/routes.hpp"

#include "http/auth.hpp"
#include "http/health_resource.hpp"
#include "http/job_actions_resource.hpp"
#include "http/jobs_resource.hpp"
#include "http/polling_resource.hpp"

namespace jobsync::http {

std::vector<route> make_routes(std::shared_ptr<const api> a) {
  auto guarded = [a](handler h) { return require_token(a, std::move(h)); };
  return {
    {"GET", "/api/cloud/jobs", guarded(list_jobs(a))},
    {"POST", "/api/cloud/jobs/sync", guarded(sync_jobs(a))},
    {"GET", "/api/cloud/jobs/:job_id", guarded(get_job(a))},
    {"DELETE", "/api/cloud/jobs/:job_id", guarded(delete_job(a))},
    {"POST", "/api/cloud/jobs/:job_id/cancel", guarded(cancel_job(a))},
    {"GET", "/api/cloud/polling/status", guarded(polling_status(a))},
    {"GET", "/api/cloud/providers/:provider/validate",
     guarded(validate_provider(a))},
    {"GET", "/healthz", healthz()},
    {"GET", "/readyz", readyz(a)},
  };
}

} // namespace jobsync::http
