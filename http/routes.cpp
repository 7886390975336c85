#include "http/routes.hpp"

#include "http/auth.hpp"
#include "http/callback_resource.hpp"
#include "http/events_resource.hpp"
#include "http/health_resource.hpp"
#include "http/job_actions_resource.hpp"
#include "http/jobs_resource.hpp"
#include "http/metrics_resource.hpp"
#include "http/polling_resource.hpp"
#include "http/progress_resource.hpp"
#include "http/web_resource.hpp"
#include "http/webhook_resource.hpp"

namespace jobsync::http {

std::vector<route> make_routes(std::shared_ptr<const api> a) {
  auto guarded = [a](handler h) { return require_token(a, std::move(h)); };
  std::vector<route> routes{
      // Not guarded: the webhook signature is its authentication. First:
      // RESTinio tries routes in order, the method before the path's
      // regex, so the busiest POST path is found without running the other
      // POST routes' regexes; a GET pays nothing for it.
      {"POST", "/api/webhooks/:provider", receive_webhook(a)},
      {"GET", "/api/cloud/jobs", guarded(list_jobs(a))},
      {"POST", "/api/cloud/jobs/sync", guarded(sync_jobs(a))},
      {"GET", "/api/cloud/jobs/:job_id", guarded(get_job(a))},
      {"DELETE", "/api/cloud/jobs/:job_id", guarded(delete_job(a))},
      {"POST", "/api/cloud/jobs/:job_id/cancel", guarded(cancel_job(a))},
      {"GET", "/api/cloud/jobs/:job_id/inline-progress",
       guarded(inline_progress(a))},
      {"GET", "/api/cloud/jobs/:job_id/logs", guarded(job_logs(a))},
      {"GET", "/api/cloud/jobs/:job_id/validation/latest",
       guarded(latest_validation_image(a))},
      {"GET", "/api/cloud/polling/status", guarded(polling_status(a))},
      {"PUT", "/api/cloud/polling/setting", guarded(polling_setting_put(a))},
      {"GET", "/api/cloud/providers/:provider/validate",
       guarded(validate_provider(a))},
      {"GET", "/api/cloud/metrics", guarded(dashboard_metrics(a))},
      {"GET", "/api/ui/config", guarded(ui_config(a))},
      {"GET", "/metrics", prometheus_metrics(a)},
      {"GET", "/", dashboard_page(a)},
      {"GET", "/assets/:file", dashboard_asset(a)},
      // EventSource cannot set headers: the token may come as ?access_token=.
      {"GET", "/api/events", require_token(a, events(a), true)},
      {"GET", "/healthz", healthz()},
      {"GET", "/readyz", readyz(a)},
      // SimpleTuner's operational paths, public like the probes.
      {"GET", "/api/cloud/health", cloud_health(a)},
      {"GET", "/api/cloud/health/live", healthz()},
      {"GET", "/api/cloud/health/ready", readyz(a)},
      {"GET", "/api/cloud/metrics/prometheus", prometheus_metrics(a)},
      // The contract of this API (docs/openapi.json), public.
      {"GET", "/api/openapi.json", openapi_document()},
  };
  // Local trainers report here, SimpleTuner's path, with their own key
  // (not the API token) and their own body limit (images).
  if (a->config()->callbacks.enabled)
    routes.push_back({"POST", "/callback", receive_trainer_report(a),
                      a->config()->callbacks.max_body_bytes});
  return routes;
}

} // namespace jobsync::http
