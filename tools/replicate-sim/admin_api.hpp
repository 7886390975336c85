#pragma once

#include "tools/replicate-sim/faults.hpp"
#include "tools/replicate-sim/http_types.hpp"
#include "tools/replicate-sim/request_stats.hpp"
#include "tools/replicate-sim/simulator.hpp"
#include "tools/replicate-sim/webhook_sender.hpp"

namespace jobsync::sim {

/// The unauthenticated `/_admin` API that tests use to shape the emulated
/// account: create and advance jobs, move the clock, inject faults, read
/// statistics. Documented in `--help` and README.md.
class admin_api {
public:
  /// Wires the admin API to its collaborators (all outlive it).
  admin_api(simulator& sim, fault_table& faults, request_stats& stats,
            webhook_sender& sender);

  /// Answers a request whose path starts with `/_admin`. Never throws.
  http_reply handle(const http_request& request);

private:
  http_reply create_jobs(const http_request& request);
  http_reply job_action(std::string_view id, std::string_view action,
                        const http_request& request);
  http_reply clock(const http_request& request);
  http_reply add_fault(const http_request& request);
  http_reply list_faults() const;
  http_reply webhooks() const;
  /// `POST /_admin/webhooks/drops`: drop a job's next webhooks.
  http_reply add_drop(const http_request& request);
  http_reply models() const;

  simulator& sim_;
  fault_table& faults_;
  request_stats& stats_;
  webhook_sender& sender_;
};

} // namespace jobsync::sim
