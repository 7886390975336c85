#pragma once

#include "model/timestamp.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace jobsync {

/// Whether background polling runs: `auto` decides by the provider's
/// webhooks, `on` and `off` decide outright.
enum class polling_mode { automatic, on, off };

/// Whether a provider's poller runs background cycles, and why.
struct polling_decision {
  bool enabled = false;
  std::string reason;
};

/// The seed's rule: polling runs unless the provider delivers webhooks (it
/// has a `webhook_url`); `on` and `off` decide outright.
polling_decision decide_polling(polling_mode mode,
                                const std::string& webhook_url);

/// What one poll cycle did.
struct cycle_report {
  unix_ms started = 0;
  int64_t duration_ms = 0;
  /// Provider requests made (list pages and single fetches).
  uint64_t requests = 0;
  uint64_t pages = 0;
  /// Active jobs the cycle asked about, and those it got an answer for.
  uint64_t jobs_active = 0;
  uint64_t jobs_checked = 0;
  /// Jobs whose stored record changed.
  uint64_t jobs_changed = 0;
  /// Status changes of jobs fed by webhooks that no webhook had delivered.
  uint64_t jobs_recovered = 0;
  /// Jobs the provider answered 404 for, and those declared lost.
  uint64_t jobs_not_found = 0;
  uint64_t jobs_lost = 0;
  /// The cycle was a reconcile sweep (jobs answered 404 before were asked
  /// about again).
  bool sweep = false;
  uint64_t errors = 0;
  std::string last_error;
  /// Every active job was checked.
  bool complete = false;
};

/// Which replica runs a provider's background cycles. Replicas sharing a
/// database elect one per provider; a replica on its own always leads.
struct poll_leadership {
  /// This replica does.
  bool leading = false;
  /// The name of the replica that does; empty while nobody does, or when
  /// it cannot be known (this replica lost the database).
  std::string leader;
};

/// A poller's state, for `GET /api/cloud/polling/status`.
struct poller_status {
  std::string provider;
  /// Whether background cycles run, and why (or why not).
  bool enabled = false;
  std::string reason;
  int interval_seconds = 0;
  /// The reconcile sweep's interval; 0 when it is off.
  int sweep_interval_seconds = 0;
  int requests_per_minute = 0;
  bool cycle_running = false;
  uint64_t cycles = 0;
  std::optional<cycle_report> last_cycle;
  std::optional<unix_ms> next_cycle;
  /// "closed", "open" or "half_open".
  std::string circuit = "closed";
  uint32_t consecutive_failures = 0;
  /// Delay before the next retry after a failure; 0 when none is pending.
  double backoff_seconds = 0;
  /// No request goes out before this time (the provider's Retry-After).
  std::optional<unix_ms> retry_after_until;
  /// The first cycle after start-up has ended.
  bool first_cycle_done = false;
  /// Since the poller started: status changes of jobs fed by webhooks that
  /// a cycle found before any webhook delivered them (non-zero means
  /// webhooks are being lost), and jobs declared lost.
  uint64_t recovered = 0;
  uint64_t lost = 0;
  /// This replica's name (`server.replica_name`).
  std::string replica;
  /// Who runs the background cycles; nullopt until this replica has
  /// learned it (replicas sharing a database ask it at start).
  std::optional<poll_leadership> leadership;
  /// What readiness waits for: the first cycle has ended, or this replica
  /// learned that another one polls the provider.
  bool settled = false;
};

/// What `sync_active` achieved within its deadline.
struct refresh_report {
  uint64_t checked = 0;
  uint64_t updated = 0;
  uint64_t failed = 0;
  bool complete = true;
};

/// What a discovery (`POST /api/cloud/jobs/sync`) did.
struct sync_report {
  uint64_t synced = 0;
  uint64_t updated = 0;
  /// The provider's display name ("Replicate").
  std::string provider_label;
};

/// A provider's answer about its token
/// (`GET /api/cloud/providers/{provider}/validate`).
struct validation {
  bool valid = false;
  /// The account the token belongs to, when valid.
  std::string username;
  /// Why the token is not valid, when it is not.
  std::string detail;
};

/// Whether the server should receive traffic, and why not.
struct readiness {
  bool ready = false;
  std::string reason;
};

} // namespace jobsync
