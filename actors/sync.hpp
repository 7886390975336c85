#pragma once

#include "actors/messages.hpp"
#include "model/result.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace jobsync {

/// How sync_active, inline progress and logs run. Every value comes from
/// the configuration (defaults in config/settings.hpp).
struct sync_config {
  /// Time budget of `sync_active`.
  std::chrono::milliseconds active_deadline{0};
  /// A stored log tail younger than this answers inline progress without
  /// the provider; a provider fetch is reused for as long.
  std::chrono::milliseconds log_freshness{0};
  /// Deadline of the provider fetch behind inline progress and logs.
  std::chrono::milliseconds log_fetch_timeout{0};
  /// Bytes of a fetched log the progress rules look at (the stored tail's
  /// size, so both paths see the same lines).
  size_t log_tail_bytes = 0;

  /// Rejects settings the sync actor cannot work with.
  result<void> validate() const;
};

/// One provider as the sync actor sees it.
struct provider_entry {
  /// Its poller; invalid when the provider cannot be asked (no token).
  poller_actor poller;
  /// "Replicate", for messages.
  std::string label;
  /// Jobs a sync discovers at most.
  uint64_t sync_limit = 0;
  /// Why the provider cannot be asked, when it has no poller ("no API
  /// token: set ...").
  std::string unavailable;
};

/// The sync actor's state: the providers by name, and the callers waiting
/// for the discovery run in progress.
class sync_state {
public:
  static inline const char* name = "sync";

  using self_pointer = sync_actor::stateful_pointer<sync_state>;

  explicit sync_state(self_pointer self) : self_(self) {}

  /// Takes the configuration (validated by the caller) and the peers.
  void init(sync_config config, registry_actor registry, reader_actor reader,
            std::map<std::string, provider_entry> providers);

  /// Discovers at every provider that can be asked and stores what it
  /// found; concurrent calls share the run in progress.
  caf::result<sync_report> sync();

  /// Refreshes every active job within the deadline, then lists.
  caf::typed_response_promise<job_page, refresh_report>
  refresh(const list_query& query);

  /// Cancels a job at its provider (or locally, when no provider can do it)
  /// and stores the outcome.
  caf::typed_response_promise<job> cancel(const job_ref& id);

  /// A job's inline progress.
  caf::typed_response_promise<job_progress> progress(const job_ref& id);

  /// A job's full log.
  caf::typed_response_promise<job_log_text> logs(const job_ref& id);

  /// Checks a provider's token: valid or not (a provider that cannot be
  /// asked is not), not_found for a provider jobsync does not know.
  caf::result<validation> validate(const provider_name& provider);

  /// A provider's webhook signing secret.
  caf::result<std::string> secret(const provider_name& provider);

  /// A restarted poller replaces the one that stopped.
  void replace(const provider_name& provider, poller_actor poller);

  /// Takes a reloaded configuration (validated by the caller) for the
  /// requests that come next.
  void reconfigure(sync_config config) {
    config_ = std::move(config);
  }

private:
  /// The providers whose poller can be asked.
  std::vector<const provider_entry*> askable() const;

  /// The provider of a job and its poller, if it has one.
  const provider_entry* provider_of(const job& x) const;

  void run_sync();
  void finish_sync(const sync_report& report,
                   const std::optional<caf::error>& error);
  void cancel_job(job x, caf::typed_response_promise<job> promise);
  void cancel_locally(job_ref id, std::string why,
                      caf::typed_response_promise<job> promise);
  /// Reads a job with its stored log tail, then lets `answer` finish.
  template <class T>
  caf::typed_response_promise<T> with_detail(
      const job_ref& id,
      void (sync_state::*answer)(job_detail&, caf::typed_response_promise<T>));

  /// Asks the job's poller for its full log, by the fetch deadline.
  auto fetch_log(const provider_entry& entry, const job& x);

  void answer_progress(job_detail& d,
                       caf::typed_response_promise<job_progress> promise);
  void answer_logs(job_detail& d,
                   caf::typed_response_promise<job_log_text> promise);

  self_pointer self_;
  sync_config config_;
  registry_actor registry_;
  reader_actor reader_;
  /// By provider name.
  std::map<std::string, provider_entry> providers_;
  /// Everyone waiting for the discovery run in progress.
  std::vector<caf::typed_response_promise<sync_report>> sync_waiters_;
};

/// Spawnable behavior of the sync actor.
sync_actor::behavior_type sync(sync_actor::stateful_pointer<sync_state> self,
                               sync_config config, registry_actor registry,
                               reader_actor reader,
                               std::map<std::string, provider_entry> providers);

} // namespace jobsync
