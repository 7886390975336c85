#pragma once

#include "actors/messages.hpp"
#include "actors/page_walk.hpp"
#include "actors/request_gate.hpp"
#include "actors/shared_fetches.hpp"
#include "model/result.hpp"
#include "providers/provider.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace jobsync {

/// How one provider is polled. Every value comes from the provider's
/// configuration section (defaults in config/settings.hpp).
struct poller_config {
  /// Whether background cycles run, and why (shown in the status).
  bool enabled = false;
  std::string reason;
  std::chrono::seconds interval{0};
  /// The request budget (a share of the provider's rate limit).
  int requests_per_minute = 0;
  /// Consecutive failed cycles that open the circuit, and for how long.
  int circuit_failure_threshold = 0;
  std::chrono::seconds circuit_open{0};
  /// Retry delays within a cycle after a failed request.
  std::chrono::milliseconds backoff_initial{0};
  std::chrono::milliseconds backoff_max{0};
  /// Every provider is reconciled at least this often, polling or not (the
  /// reconcile sweep); zero: no sweep. Polling cycles count as sweeps.
  std::chrono::seconds sweep{0};
  /// The provider delivers webhooks (it has a webhook_url): every job
  /// counts as fed by webhooks.
  bool webhooks_configured = false;
  /// A job the provider answered 404 for this long, with nothing
  /// confirming it since, is lost (failed); zero: never.
  std::chrono::seconds lost_after{0};
  /// This replica's name (`server.replica_name`).
  std::string replica;
  /// Replicas share the store: background cycles wait until the leadership
  /// actor says this replica leads. Otherwise it always leads.
  bool elected = false;
  /// The preference set at runtime and stored (it wins over `enabled` and
  /// `interval` where it says something).
  polling_preference preference;

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
  page_walk pages{0};
  /// Consecutive failures of the current step.
  uint32_t attempt = 0;
  /// Ended early by a sync_active deadline (not a failure).
  bool cut_short = false;
  /// A sweep: jobs the provider answered 404 for before are asked about
  /// again (other cycles leave them alone).
  bool sweep = false;
  /// Active jobs fed by webhooks (jobsync's ids).
  std::set<std::string> fed;
  /// Active jobs the provider answered 404 for in this cycle.
  std::vector<std::string> not_found;
  cycle_report report;
};

/// The poller's state: the provider, the gate every request passes, the
/// current cycle, the circuit, and the fetches shared by several callers.
class poller_state {
public:
  static inline const char* name = "poller";

  using clock = request_gate::clock;
  using self_pointer = poller_actor::stateful_pointer<poller_state>;

  explicit poller_state(self_pointer self) : self_(self) {}

  /// Takes the configuration (validated by the caller) and the peers; the
  /// first cycle runs at once when polling is on.
  void init(poller_config config, std::shared_ptr<providers::provider> provider,
            registry_actor registry, reader_actor reader);

  /// Runs a cycle now or joins the running one; `deadline` cuts it short
  /// (what was found is stored; that is not a failure).
  caf::typed_response_promise<refresh_report>
  refresh(std::chrono::milliseconds deadline);

  /// Pages the newest-first list for up to `limit` jobs.
  caf::typed_response_promise<std::vector<provider_snapshot>>
  discover(uint64_t limit);

  /// A job's log text: one fetch per job at a time, shared, and reused
  /// while younger than `max_age` (a failure too). A fetch is also a
  /// snapshot, so it is stored.
  caf::typed_response_promise<std::string>
  logs(const std::string& id, std::chrono::milliseconds max_age);

  /// Cancels a job at the provider. A not_found answer is confirmed by
  /// asking for the job again before it is passed on.
  caf::typed_response_promise<provider_snapshot> cancel(const std::string& id);

  /// Asks the provider about the token.
  caf::typed_response_promise<validation> validate();

  /// Fetches the webhook signing secret (one fetch at a time, shared).
  caf::typed_response_promise<std::string> secret();

  /// The poller's state as of now.
  poller_status status() const;

  /// Takes a preference set at runtime, at once: a stop ends the
  /// background cycle in flight (what it found is stored, in one batch; a
  /// cycle someone is waiting for runs on), a start runs a cycle now, a new
  /// interval times the next cycle. Answers the state after it.
  poller_status prefer(const polling_preference& p);

  /// Takes a reloaded configuration (validated by the caller; the
  /// preference set at runtime still wins over it), at once like prefer.
  poller_status reconfigure(poller_config config);

  /// The cycle timer fired.
  void tick();

  /// Which replica runs the background cycles (polling and the reconcile
  /// sweep) now. Taking the lead over starts a cycle at once (the one that
  /// led may have stopped a while ago); losing it lets a running cycle end
  /// but starts no other.
  void lead(const poll_leadership& l);

  /// The gate may have opened: send what waits for it.
  void step();

  /// The failure a caller of the poller sees for a provider failure: the
  /// provider's label and reason, as `not_found` when the provider does not
  /// know the job, `rate_limited` (with its retry-after) when it asked us
  /// to wait, `timeout` when it did not answer in time, else
  /// `provider_error`.
  failure api_failure(const failure& f) const;

  /// A rate_limited failure while the provider's Retry-After holds the gate
  /// closed (with the time left), so that a person asking is answered at
  /// once instead of waiting behind the gate; nullopt when it is open.
  std::optional<failure> held_back() const;

private:
  /// Queues a provider call behind the gate. `call` starts the request
  /// with a completion callback; `done` gets the outcome in the actor's
  /// context, after its Retry-After and rate-limit headers closed the
  /// gate as they say.
  template <class T>
  void ask_provider(
      std::function<void(providers::provider&, providers::provider_callback<T>)>
          call,
      std::function<void(result<T>&)> done);

  /// A `done` for ask_provider that answers `promise` with the value or
  /// the api_failure.
  template <class T>
  std::function<void(result<T>&)>
  answer(caf::typed_response_promise<T> promise);

  /// After a cancel answered not_found (`refused`): fails `promise` with
  /// it when the provider does not know the job either, else stores the
  /// job's state and fails `promise` with a provider_error.
  void confirm_unknown(const std::string& id, const failure& refused,
                       caf::typed_response_promise<provider_snapshot> promise);

  /// The longest a provider's Retry-After or rate-limit reset holds its
  /// requests back.
  static constexpr std::chrono::seconds longest_provider_wait{600};

  /// `asked`, at most longest_provider_wait (a longer one is logged).
  std::chrono::seconds provider_wait(std::chrono::seconds asked);

  /// Notes what the provider said about its limits: a 429's Retry-After
  /// closes the gate until it has passed, and so does an exhausted window.
  void note_limits(const failure* f);

  /// Sends the calls the gate lets through; schedules a step for the rest.
  void pump();

  // -- cycles ----------------------------------------------------------------

  bool live(uint64_t id) const;
  /// Whether this replica runs the background cycles now.
  bool leads() const;
  void begin_cycle(bool requested);
  void on_active(uint64_t id, std::vector<job>& jobs);
  void advance();
  void on_page(uint64_t id, result<providers::provider_page>& r);
  void on_single(uint64_t id, const std::string& external_id,
                 result<provider_snapshot>& r);
  void on_step_error(const failure& f);
  void cut_cycle(uint64_t id);
  void end_cycle(bool complete);
  void note_missing(bool complete, apply_summary stored,
                    std::vector<std::string> not_found);
  void finish(bool complete, const apply_summary& stored,
              const missing_outcome& missing, const std::string& store_error);
  /// Counts and logs (once per job) the changes no webhook delivered.
  void count_recoveries(poll_cycle& c, const apply_summary& stored);
  void schedule_next(clock::time_point started);

  /// Sets whether cycles run and their interval from the configuration
  /// and the preference.
  void take_preference(const polling_preference& p);

  /// Follows a change of on/off or of the period: a stop ends the
  /// background cycle in flight, a start runs one now, a new period times
  /// the next.
  void follow_changes(bool was_enabled, clock::duration was_period);

  /// Time between background cycles: the poll interval (or the sweep's,
  /// when shorter) when polling, else the sweep's; zero: none.
  clock::duration period() const;

  /// Unix ms now, by the actor clock: the wall time at start plus the time
  /// the actor clock says has passed (tests move it; a wall clock that
  /// jumps does not).
  unix_ms wall_now() const;

  /// The circuit's open period and the longest retry delay, capped by the
  /// period, so a provider that comes back is asked again within it.
  clock::duration circuit_open() const;
  std::chrono::milliseconds backoff_max() const;

  // -- discovery -------------------------------------------------------------

  struct discovery {
    uint64_t limit = 0;
    page_walk pages{0};
    std::vector<provider_snapshot> found;
    caf::typed_response_promise<std::vector<provider_snapshot>> promise;
  };
  void discover_next(std::shared_ptr<discovery> d);

  // -- logs ------------------------------------------------------------------

  /// The last log fetch of a job: its text or the error it ended in.
  struct fetched_log {
    clock::time_point at;
    std::string text;
    std::optional<caf::error> error;
  };
  void remember_log(const std::string& id, fetched_log entry);

  self_pointer self_;
  /// As configured (config_ is what applies now, the preference included).
  poller_config configured_;
  poller_config config_;
  std::shared_ptr<providers::provider> provider_;
  registry_actor registry_;
  reader_actor reader_;
  request_gate gate_{1, clock::time_point{}};
  /// The wall time and the actor clock when the poller started.
  unix_ms wall_at_start_ = 0;
  clock::time_point clock_at_start_;
  std::mt19937 rng_{42};

  /// Provider calls waiting for the gate, in order.
  std::deque<std::function<void()>> waiting_;
  bool step_scheduled_ = false;

  std::optional<poll_cycle> cycle_;
  uint64_t next_cycle_id_ = 1;
  std::vector<caf::typed_response_promise<refresh_report>> refresh_waiters_;
  /// When the next background cycle is due.
  std::optional<clock::time_point> next_due_;
  std::optional<clock::time_point> circuit_until_;
  bool half_open_ = false;
  /// When the last sweep began.
  std::optional<clock::time_point> last_sweep_;
  /// Jobs whose recovery was logged (active ones only: logged once each).
  std::set<std::string> recovered_logged_;
  poller_status status_;

  shared_fetches<std::string> secret_fetch_;
  shared_fetches<std::string> log_fetches_;
  std::map<std::string, fetched_log> log_cache_;
};

/// Spawnable behavior of the poller of one provider.
poller_actor::behavior_type
poller(poller_actor::stateful_pointer<poller_state> self, poller_config config,
       std::shared_ptr<providers::provider> provider, registry_actor registry,
       reader_actor reader);

} // namespace jobsync
