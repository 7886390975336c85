#pragma once

#include "actors/messages.hpp"
#include "actors/request_gate.hpp"
#include "model/result.hpp"
#include "providers/replicate_client.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace jobsync {

/// How one provider is polled.
struct poller_config {
  /// The provider's name in jobs ("replicate") and for people ("Replicate").
  std::string provider = "replicate";
  std::string label = "Replicate";
  /// Whether background cycles run, and why (shown in the status).
  bool enabled = true;
  std::string reason;
  std::chrono::seconds interval{30};
  /// The request budget (a share of the provider's rate limit).
  int requests_per_minute = 1200;
  /// Consecutive failed cycles that open the circuit, and for how long.
  int circuit_failure_threshold = 5;
  std::chrono::seconds circuit_open{60};
  /// Retry delays within a cycle after a failed request.
  std::chrono::milliseconds backoff_initial{1000};
  std::chrono::milliseconds backoff_max{300000};
  /// The provider client's settings.
  providers::replicate_client_config client;

  /// Rejects settings the poller cannot work with.
  result<void> validate() const;
};

/// One refresh of every active job (see poller_state::begin_cycle).
struct poll_cycle {
  uint64_t id = 0;
  request_gate::clock::time_point started;
  /// Retries stop here: the next cycle is due.
  request_gate::clock::time_point deadline;
  /// Active jobs not yet seen: provider id -> created (ms).
  std::map<std::string, unix_ms> remaining;
  unix_ms oldest_created = 0;
  std::vector<provider_snapshot> found;
  /// Still paging the list (then single fetches for what is left).
  bool listing = true;
  bool first_page = true;
  std::optional<std::string> next_url;
  size_t page_budget = 0;
  /// Consecutive failures of the current step.
  uint32_t attempt = 0;
  /// Ended early by a sync_active deadline (not a failure).
  bool cut_short = false;
  cycle_report report;
};

/// The poller's state: the provider client, the gate every request passes,
/// the current cycle and the circuit.
struct poller_state {
  static inline const char* name = "poller";

  using clock = request_gate::clock;

  poller_config config;
  std::unique_ptr<providers::replicate_client> client;
  registry_actor registry;
  reader_actor reader;
  request_gate gate{1, clock::now()};
  std::mt19937 rng{42};

  /// Provider calls waiting for the gate, in order.
  std::deque<std::function<void()>> waiting;
  bool step_scheduled = false;

  std::optional<poll_cycle> cycle;
  uint64_t next_cycle_id = 1;
  std::vector<caf::typed_response_promise<refresh_report>> refresh_waiters;
  /// When the next background cycle is due.
  std::optional<clock::time_point> next_due;
  std::optional<clock::time_point> circuit_until;
  bool half_open = false;
  poller_status status;

  /// Everyone waiting for the webhook secret fetch in flight.
  std::vector<caf::typed_response_promise<std::string>> secret_waiters;
  /// Log fetches in flight, by provider id, with everyone waiting for them.
  std::map<std::string, std::vector<caf::typed_response_promise<std::string>>>
      log_fetches;

  /// The last log fetch of each job, reused while young enough: its text,
  /// or the error it ended in (so a failing provider is not asked again
  /// for every request).
  struct fetched_log {
    clock::time_point at;
    std::string text;
    std::optional<caf::error> error;
  };
  std::map<std::string, fetched_log> log_cache;
};

/// Spawnable behavior of the poller of one provider.
poller_actor::behavior_type
poller(poller_actor::stateful_pointer<poller_state> self, poller_config config,
       registry_actor registry, reader_actor reader);

} // namespace jobsync
