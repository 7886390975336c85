#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"
#include "model/payloads.hpp"
#include "model/result.hpp"

#include <memory>
#include <string_view>

namespace jobsync::http {

/// The parsed query of `GET /api/cloud/jobs`.
struct list_request {
  list_query query;
  bool sync_active = false;
};

/// Validates every query parameter of the job list before anything happens;
/// a bad value is a bad_request naming the parameter and what it accepts.
result<list_request> parse_list_request(std::string_view raw_query);

/// `GET /api/cloud/jobs`.
handler list_jobs(std::shared_ptr<const api> a);

/// `GET /api/cloud/jobs/{job_id}`.
handler get_job(std::shared_ptr<const api> a);

/// `DELETE /api/cloud/jobs/{job_id}`.
handler delete_job(std::shared_ptr<const api> a);

} // namespace jobsync::http
