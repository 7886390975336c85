#pragma once

// Every atom, message type and typed actor interface of jobsync, in one
// place. Payload structs live in model/.

#include "model/event_stream.hpp"
#include "model/freshness.hpp"
#include "model/health.hpp"
#include "model/ids.hpp"
#include "model/job.hpp"
#include "model/job_filter.hpp"
#include "model/metrics.hpp"
#include "model/payloads.hpp"
#include "model/polling.hpp"
#include "model/polling_preference.hpp"
#include "model/provider_snapshot.hpp"
#include "model/result.hpp"
#include "model/server_figures.hpp"
#include "model/webhook_request.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <functional>
#include <string>
#include <vector>

namespace jobsync {
// In actors/poller.hpp (a poller's own configuration; only the poller and
// whoever hands it a reloaded one need its members).
struct poller_config;
// In actors/webhook_receiver.hpp, actors/sync.hpp and actors/sse_hub.hpp.
struct webhook_receiver_config;
struct sync_config;
struct sse_hub_config;

/// The answer of a request, handed to a callback that the answering actor
/// runs itself instead of replying by message: HTTP reads use it (see
/// http/bridge.hpp) so that a request crosses from an I/O thread to the
/// actor and back, with no actor of its own in between.
template <class T>
struct answer_callback {
  std::function<void(result<T>)> deliver;
};
} // namespace jobsync

// Messages never leave the process, and the payloads hold std::optional,
// which CAF 0.17's serializers do not know; so they are exempt from
// serialization instead of getting inspect overloads.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<jobsync::job>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job_changed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<jobsync::job_changed>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::snapshot_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::apply_summary)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::webhook_delivery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::webhook_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::webhook_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::list_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::answer_callback<jobsync::job_page>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::answer_callback<jobsync::job>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(
    jobsync::answer_callback<jobsync::webhook_outcome>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job_detail)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::metrics_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::registry_health)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::provider_snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<jobsync::provider_snapshot>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::poller_status)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::poll_leadership)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<jobsync::poller_status>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::refresh_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::sync_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::readiness)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::health_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job_progress)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job_log_text)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::event_subscription)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::event_stream_stats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<jobsync::job_tally>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::server_figures)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::job_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::provider_job_ref)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::provider_name)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::validation)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::missing_jobs)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::missing_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::staleness_rule)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<jobsync::stale_tally>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::setting_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::polling_preference)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::polling_setting)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::polling_preferences)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::polling_setting_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::poller_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::webhook_receiver_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::sync_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::sse_hub_config)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::silence_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::trainer_event)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::trainer_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(jobsync::validation_image)
// Provider completions arrive on the HTTP client's thread and are handed to
// the actor as a closure it runs in its own context.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::function<void()>)

namespace jobsync {

// -- atoms (at most 10 characters) -------------------------------------------

using apply_atom = caf::atom_constant<caf::atom("apply")>;
using missing_atom = caf::atom_constant<caf::atom("missing")>;
using webhook_atom = caf::atom_constant<caf::atom("webhook")>;
using put_atom = caf::put_atom;
using erase_atom = caf::atom_constant<caf::atom("erase")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using prune_atom = caf::atom_constant<caf::atom("prune")>;
using health_atom = caf::atom_constant<caf::atom("health")>;
using get_atom = caf::get_atom;
using list_atom = caf::atom_constant<caf::atom("list")>;
using active_atom = caf::atom_constant<caf::atom("active")>;
using metrics_atom = caf::atom_constant<caf::atom("metrics")>;
using counts_atom = caf::atom_constant<caf::atom("counts")>;
using stale_atom = caf::atom_constant<caf::atom("stale")>;
using detail_atom = caf::atom_constant<caf::atom("detail")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;
using discover_atom = caf::atom_constant<caf::atom("discover")>;
using logs_atom = caf::atom_constant<caf::atom("logs")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using validate_atom = caf::atom_constant<caf::atom("validate")>;
using secret_atom = caf::atom_constant<caf::atom("secret")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using sync_atom = caf::atom_constant<caf::atom("sync")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using tick_atom = caf::tick_atom;
using step_atom = caf::atom_constant<caf::atom("step")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using restart_atom = caf::atom_constant<caf::atom("restart")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using polling_atom = caf::atom_constant<caf::atom("polling")>;
using reload_atom = caf::atom_constant<caf::atom("reload")>;
using trainer_atom = caf::atom_constant<caf::atom("trainer")>;
using image_atom = caf::atom_constant<caf::atom("image")>;
using silent_atom = caf::atom_constant<caf::atom("silent")>;
using lead_atom = caf::atom_constant<caf::atom("lead")>;

// -- interfaces
// ----------------------------------------------------------------

/// Receives every committed job change (the SSE hub; fakes in tests).
using event_sink_actor = caf::typed_actor<
    /// The status changes and discoveries of one commit, in id order: one
    /// message per commit, not per event (the hub is detached, and each
    /// message that finds it asleep costs a wake-up on both threads).
    caf::reacts_to<std::vector<job_changed>>>;

/// The only writer of the store. Requests that arrive together are
/// committed in one transaction and answered only after that commit.
using registry_actor = caf::typed_actor<
    /// Applies provider snapshots (sync, sync_active, polls).
    caf::replies_to<apply_atom, snapshot_batch>::with<apply_summary>,
    /// Notes the jobs a provider answered 404 for, and declares lost (failed)
    /// those it has not known for lost_after with no confirmation since.
    caf::replies_to<missing_atom, missing_jobs>::with<missing_outcome>,
    /// Applies a webhook delivery once per webhook id.
    caf::replies_to<webhook_atom, webhook_delivery>::with<webhook_outcome>,
    /// The same, answered through the callback (HTTP deliveries).
    caf::reacts_to<webhook_atom, webhook_delivery,
                   answer_callback<webhook_outcome>>,
    /// Stores a job as given (jobs that did not come from a provider).
    caf::replies_to<put_atom, job>::with<apply_summary>,
    /// Applies one report of a local trainer (`POST /callback`) to its
    /// local job, creating the job when the id is new; a report without a
    /// job id is counted only. invalid_job_state when the id is a cloud
    /// job's.
    caf::replies_to<trainer_atom, trainer_event>::with<trainer_outcome>,
    /// Fails the listed local jobs that are still active and have had no
    /// report for the check's timeout (decided again here, so a report
    /// that arrived meanwhile keeps its job running). Answers the ids of
    /// the jobs failed.
    caf::replies_to<silent_atom, silence_check>::with<std::vector<std::string>>,
    /// Marks an active job cancelled in the store, for a cancel that
    /// reaches no provider (a local run, a job no provider knows); the note
    /// becomes its error_message unless it has one. Decided on the stored
    /// job inside the write transaction, so a change committed meanwhile
    /// (a trainer report, a webhook) is kept, and a job that ended
    /// meanwhile is refused with invalid_job_state. Answers the job.
    caf::replies_to<cancel_atom, job_ref, std::string>::with<job>,
    /// Forgets a terminal job; invalid_job_state for an active one,
    /// job_not_found for an unknown one. Answers the removed job.
    caf::replies_to<erase_atom, job_ref>::with<job>,
    /// Stores settings beside the jobs (the runtime polling preference);
    /// answers how many, after the commit.
    caf::replies_to<put_atom, setting_batch>::with<uint64_t>,
    /// Whether the store is still writable.
    caf::replies_to<health_atom>::with<registry_health>,
    /// INTERNAL: commits everything staged since the last flush.
    caf::reacts_to<flush_atom>,
    /// INTERNAL: forgets old webhook ids (periodic).
    caf::reacts_to<prune_atom>>;

/// Answers queries with one read transaction each; never waits for the
/// writer (LMDB MVCC).
using reader_actor = caf::typed_actor<
    /// One job; job_not_found when unknown.
    caf::replies_to<get_atom, job_ref>::with<job>,
    /// One job with its stored log tail; job_not_found when unknown.
    caf::replies_to<detail_atom, job_ref>::with<job_detail>,
    /// A newest-first page and the total number of matches.
    caf::replies_to<list_atom, list_query>::with<job_page>,
    /// The same two reads for HTTP requests, answered through a callback.
    caf::reacts_to<get_atom, job_ref, answer_callback<job>>,
    caf::reacts_to<list_atom, list_query, answer_callback<job_page>>,
    /// Every active job of a provider.
    caf::replies_to<active_atom, provider_name>::with<std::vector<job>>,
    /// Dashboard figures over the last N days.
    caf::replies_to<metrics_atom, int>::with<metrics_report>,
    /// Every store counter: jobs by type, status and provider (`/metrics`).
    caf::replies_to<counts_atom>::with<std::vector<job_tally>>,
    /// Stale active jobs per provider, by the rule, now (`/metrics`).
    caf::replies_to<stale_atom, staleness_rule>::with<std::vector<stale_tally>>,
    /// A local job's newest validation image; job_not_found for an unknown
    /// job, not_found when it has none.
    caf::replies_to<image_atom, std::string>::with<validation_image>,
    /// The stored polling preferences: the record for all providers and
    /// those of the providers named.
    caf::replies_to<polling_atom,
                    std::vector<std::string>>::with<polling_preferences>>;

/// Talks to one provider through its provider interface: background cycles
/// that refresh every active job (list-first), and every other provider
/// request, all through one gate that keeps the request budget and the
/// provider's Retry-After. Provider failures answer with the API's codes
/// (see poller_state::api_failure).
using poller_actor = caf::typed_actor<
    /// Runs a cycle now, or joins the running one; answers when it ends or
    /// when the deadline (milliseconds) cuts it short.
    caf::replies_to<refresh_atom, int64_t>::with<refresh_report>,
    /// Pages the provider's newest-first list for up to N jobs (discovery).
    caf::replies_to<discover_atom,
                    uint64_t>::with<std::vector<provider_snapshot>>,
    /// A job's full log text: fetched (one request per job at a time,
    /// shared by everyone asking meanwhile), or the last fetch when it is
    /// younger than the given age (milliseconds).
    caf::replies_to<logs_atom, provider_job_ref, int64_t>::with<std::string>,
    /// Cancels a job at the provider.
    caf::replies_to<cancel_atom, provider_job_ref>::with<provider_snapshot>,
    /// Asks the provider whether it accepts the token.
    caf::replies_to<validate_atom>::with<validation>,
    /// The webhook signing secret, fetched from the provider (one request
    /// at a time, shared by everyone asking meanwhile; not cached: the
    /// webhook receiver keeps it).
    caf::replies_to<secret_atom>::with<std::string>,
    /// The poller's state.
    caf::replies_to<status_atom>::with<poller_status>,
    /// Background polling as set at runtime: on, off or the configured rule,
    /// at an interval or the configured one; takes effect at once (a stop
    /// ends the background cycle in flight, a start runs one now). Answers
    /// the state after it.
    caf::replies_to<polling_atom, polling_preference>::with<poller_status>,
    /// A reloaded configuration (SIGHUP), at once like a preference; the
    /// preference still wins over it. Answers the state after it.
    caf::replies_to<reload_atom, poller_config>::with<poller_status>,
    /// Which replica runs the background cycles (and the reconcile sweep):
    /// they run only while this one leads. Requests (refresh, discover,
    /// logs, cancel, ...) are served either way.
    caf::reacts_to<lead_atom, poll_leadership>,
    /// INTERNAL: the cycle timer.
    caf::reacts_to<tick_atom>,
    /// INTERNAL: the gate opened; send the next queued request.
    caf::reacts_to<step_atom>,
    /// INTERNAL: a provider completion, run in the actor's context.
    caf::reacts_to<run_atom, std::function<void()>>>;

/// The local provider's poll cycle (actors/liveness.hpp): local runs have
/// no API to ask, so a cycle fails the running ones whose trainer went
/// silent.
using liveness_actor = caf::typed_actor<
    /// The check's state, in a poller's shape.
    caf::replies_to<status_atom>::with<poller_status>,
    /// INTERNAL: the cycle timer.
    caf::reacts_to<tick_atom>>;

/// What the overview asks of every poller (and of the liveness check): a
/// subset of both interfaces.
using poller_status_actor
    = caf::typed_actor<caf::replies_to<status_atom>::with<poller_status>>;

/// Whoever must know each provider's current poller: the supervisor tells
/// them when a restarted poller replaces one that stopped.
using poller_directory_actor = caf::typed_actor<
    /// The poller of a provider is now this one.
    caf::reacts_to<put_atom, provider_name, poller_actor>>;

/// Coordinates work that spans pollers, the registry and the readers.
using sync_actor = poller_directory_actor::extend<
    /// Discovers jobs at every provider (concurrent calls share one run).
    caf::replies_to<sync_atom>::with<sync_report>,
    /// Refreshes every active job within the sync_active deadline, then lists
    /// (`GET /api/cloud/jobs?sync_active=true`).
    caf::replies_to<refresh_atom, list_query>::with<job_page, refresh_report>,
    /// Cancels a job at its provider and stores the outcome.
    caf::replies_to<cancel_atom, job_ref>::with<job>,
    /// A job's inline progress: from the stored log tail while it is fresh
    /// (or fed by webhooks), else from one shared provider fetch; the stored
    /// tail again when the provider fails.
    caf::replies_to<progress_atom, job_ref>::with<job_progress>,
    /// A job's full log from its provider, or the stored tail (marked) when
    /// the provider cannot be reached.
    caf::replies_to<logs_atom, job_ref>::with<job_log_text>,
    /// Checks a provider's token; not_found for a provider jobsync does not
    /// know.
    caf::replies_to<validate_atom, provider_name>::with<validation>,
    /// A provider's webhook signing secret (`whsec_...`), from its poller;
    /// unavailable for a provider that cannot be asked.
    caf::replies_to<secret_atom, provider_name>::with<std::string>,
    /// A reloaded configuration (SIGHUP): deadlines and freshness.
    caf::reacts_to<reload_atom, sync_config>>;

/// What the server reports about itself: readiness, the figures of
/// `GET /metrics`, every poller's state and the health report.
using overview_actor = poller_directory_actor::extend<
    /// Every poller's state (`GET /api/cloud/polling/status`).
    caf::replies_to<status_atom>::with<std::vector<poller_status>>,
    /// Stores a polling setting (`PUT /api/cloud/polling/setting`), then
    /// hands every poller what now applies to it; answers after both.
    /// not_found for a provider that has no poller.
    caf::replies_to<polling_atom,
                    polling_setting>::with<polling_setting_outcome>,
    /// A reloaded configuration for a provider's poller, handed to the
    /// current one.
    caf::reacts_to<reload_atom, provider_name, poller_config>,
    /// The store's counters and every poller's state (`GET /metrics`); a
    /// poller that does not answer is left out.
    caf::replies_to<metrics_atom>::with<server_figures>,
    /// Readiness: the store is writable and each polling poller is settled
    /// (its first cycle ended, or another replica polls its provider).
    caf::replies_to<ready_atom>::with<readiness>,
    /// The health of the store and of each provider's token and circuit
    /// (`GET /api/cloud/health`); with `true`, each provider is also asked
    /// whether it accepts its token. Never fails: a peer that does not
    /// answer shows as a component's status.
    caf::replies_to<health_atom, bool>::with<health_report>,
    /// The check shown for a provider (the local provider's liveness check)
    /// is now this one: the supervisor started it again.
    caf::reacts_to<put_atom, provider_name, poller_status_actor>,
    /// INTERNAL: time to read the stored polling preferences again
    /// (replicas sharing a database).
    caf::reacts_to<tick_atom>>;

/// Claims the polling of each provider for this replica among the replicas
/// sharing a database (one lock per provider), every half poll interval,
/// and tells each poller whether it leads and who does; a restarted poller
/// hears the last word at once. Blocks on the database: runs detached.
using leadership_actor = poller_directory_actor::extend<
    /// INTERNAL: time to claim the locks again.
    caf::reacts_to<tick_atom>>;

/// Restarts the pollers and the liveness check when they stop: after 1 s,
/// doubling up to a minute; whoever holds one (the poller directories, the
/// overview) hears of its replacement.
using supervisor_actor = caf::typed_actor<
    /// INTERNAL: the restart of a watched actor (by its name) is due.
    caf::reacts_to<restart_atom, provider_name>>;

// -- service manager
// -----------------------------------------------------------

/// Whatever answers `/readyz` (the overview): a subset of its interface.
using readiness_actor = caf::typed_actor<
    /// Readiness: the store is writable and each polling poller is settled
    /// (its first cycle ended, or another replica polls its provider).
    caf::replies_to<ready_atom>::with<readiness>>;

/// Reports to the service manager (systemd): READY=1 once `/readyz` would
/// answer 200, STATUS= whenever the state changes, and WATCHDOG=1 after
/// each readiness answer, so pings stop when the actors stop answering.
using watchdog_actor = caf::typed_actor<
    /// INTERNAL: time to ask for readiness again.
    caf::reacts_to<tick_atom>>;

// -- webhook receiver
// ----------------------------------------------------------

/// Verifies, parses and records the webhook deliveries of one provider
/// (`POST /api/webhooks/<provider>`); answers only after the registry has
/// committed the change.
using webhook_receiver_actor = caf::typed_actor<
    /// One delivery as received. Errors: unauthorized (signature missing,
    /// malformed, stale or not matching, or no secret to check it with),
    /// rate_limited with a retry-after (too many failed checks from this
    /// address), bad_request (not one of the provider's job objects).
    caf::replies_to<webhook_atom, webhook_request>::with<webhook_outcome>,
    /// The same, answered through the callback by the receiver or, once
    /// the delivery is committed, by the registry (`POST /api/webhooks/`).
    caf::reacts_to<webhook_atom, webhook_request,
                   answer_callback<webhook_outcome>>,
    /// A reloaded configuration (SIGHUP): secret, limits, tolerance.
    caf::reacts_to<reload_atom, webhook_receiver_config>,
    /// INTERNAL: forgets per-address failure counts whose window ended.
    caf::reacts_to<tick_atom>>;

// -- SSE hub
// -------------------------------------------------------------------

using subscribe_atom = caf::subscribe_atom;
using unsubscribe_atom = caf::unsubscribe_atom;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using resync_atom = caf::atom_constant<caf::atom("resync")>;
using drained_atom = caf::atom_constant<caf::atom("drained")>;
using timeout_atom = caf::timeout_atom;

/// Fans committed job changes out to the streams of `GET /api/events`,
/// keeps the last events for `Last-Event-ID` resumes and a heartbeat on
/// every stream. Never waits for a subscriber: one that does not read is
/// dropped. Also the registry's event sink (a subset of this interface).
using sse_hub_actor = caf::typed_actor<
    /// The status changes and discoveries of one commit, in id order (from
    /// the registry, or the shared store's event feed).
    caf::reacts_to<std::vector<job_changed>>,
    /// Opens the subscriber's stream and writes, with nothing in between:
    /// the retry hint, the events after its Last-Event-ID (or
    /// resync_required when the id cannot be served exactly), then every
    /// later event. Answers the subscriber id; unavailable (503) at a
    /// connection limit or after a drain.
    caf::replies_to<subscribe_atom, event_subscription>::with<uint64_t>,
    /// The events up to this id can no longer reach this hub (the shared
    /// store pruned them while its feed was disconnected): every subscriber
    /// gets resync_required and the replay restarts after the id.
    caf::reacts_to<resync_atom, uint64_t>,
    /// A connection closed, or a write to it failed: ends its streams.
    caf::reacts_to<unsubscribe_atom, uint64_t>,
    /// The counters (subscribers, drops, events, frames).
    caf::replies_to<status_atom>::with<event_stream_stats>,
    /// Ends every stream and refuses new ones (before the HTTP server stops);
    /// answers how many streams it ended, once each end reached its
    /// connection or the drain deadline passed.
    caf::replies_to<drain_atom>::with<uint64_t>,
    /// INTERNAL: sends the events received since the last fan-out.
    caf::reacts_to<flush_atom>,
    /// INTERNAL: the heartbeat timer.
    caf::reacts_to<tick_atom>,
    /// INTERNAL: one stream's end reached its connection during a drain.
    caf::reacts_to<drained_atom>,
    /// INTERNAL: the drain deadline passed.
    caf::reacts_to<timeout_atom>,
    /// A reloaded configuration (SIGHUP): heartbeat, retry hint and the
    /// per-address and buffer limits (the ring and the total limit stay).
    caf::reacts_to<reload_atom, sse_hub_config>>;

} // namespace jobsync
