#pragma once

#include "actors/messages.hpp"
#include "actors/reply_to.hpp"
#include "model/result.hpp"
#include "storage/job_store.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <optional>
#include <variant>
#include <vector>

namespace jobsync {

/// How the registry keeps the store (configured values come from the
/// settings; their defaults are in config/settings.hpp).
struct registry_config {
  /// Bytes of each job's log kept for inline progress.
  size_t log_tail_bytes = 0;
  /// How long applied webhook ids are remembered.
  std::chrono::hours webhook_retention{0};
  /// How often old webhook ids are forgotten.
  std::chrono::minutes prune_interval{10};

  /// Rejects settings the registry cannot work with.
  result<void> validate() const;
};

/// The registry's state: the store, what is staged for the next commit, and
/// the event counter.
struct registry_state {
  static inline const char* name = "registry";

  /// The answer to a staged request, held until the commit succeeds: a
  /// value or a refusal that wrote nothing.
  template <class T>
  using reply_slot = std::optional<std::variant<T, failure>>;

  struct staged_apply {
    snapshot_batch batch;
    reply_to<apply_summary> requester;
    reply_slot<apply_summary> reply;
  };
  struct staged_webhook {
    webhook_delivery delivery;
    reply_to<webhook_outcome> requester;
    reply_slot<webhook_outcome> reply;
  };
  struct staged_put {
    job value;
    reply_to<apply_summary> requester;
    reply_slot<apply_summary> reply;
  };
  struct staged_erase {
    std::string job_id;
    reply_to<job> requester;
    reply_slot<job> reply;
  };
  struct staged_cancel {
    std::string job_id;
    std::string note;
    reply_to<job> requester;
    reply_slot<job> reply;
  };
  struct staged_trainer {
    trainer_event event;
    reply_to<trainer_outcome> requester;
    reply_slot<trainer_outcome> reply;
  };
  struct staged_missing {
    missing_jobs missing;
    reply_to<missing_outcome> requester;
    reply_slot<missing_outcome> reply;
  };
  struct staged_settings {
    setting_batch batch;
    reply_to<uint64_t> requester;
    reply_slot<uint64_t> reply;
  };
  struct staged_silence {
    silence_check check;
    reply_to<std::vector<std::string>> requester;
    reply_slot<std::vector<std::string>> reply;
  };
  using staged_op
      = std::variant<staged_apply, staged_webhook, staged_put, staged_erase,
                     staged_cancel, staged_trainer, staged_missing,
                     staged_silence, staged_settings>;

  /// How one run of the staged operations ended: committed with these
  /// events, or failed (whether it lost a race with another writer, and
  /// which operation failed when one did rather than the commit).
  struct attempt {
    std::optional<failure> failed;
    bool conflict = false;
    std::vector<job_changed> events;
    std::optional<size_t> failed_op;
  };

  /// Runs of one flush at most when other writers keep conflicting.
  static constexpr int max_attempts = 5;

  storage::job_store* store = nullptr;
  registry_config config;
  event_sink_actor sink;
  std::vector<staged_op> staged;
  bool flush_scheduled = false;
  registry_health health;

  /// Loads the committed event counter.
  result<void> init();

  /// Commits every staged operation in one write transaction, then
  /// publishes the events and answers each request (in that order, so an
  /// answer never overtakes its events). A conflict with another writer
  /// runs them again (at most max_attempts times). An operation that fails
  /// on its own (a stored record it cannot read) gets the error, and the
  /// others run again without it; when the store fails them all (full,
  /// unreachable, the commit itself), every staged request gets the error
  /// and nothing is published.
  void flush();

  /// Runs the operations in one transaction and commits it.
  attempt try_commit(std::vector<staged_op>& ops);

  /// Commits, adding the time it took to the health figures.
  result<void> timed_commit(storage::write_view& txn);

  /// Counts the committed trainer reports in the health figures.
  void count_trainer_reports(const std::vector<staged_op>& ops);

  /// Whether the store can take writes now, and the commit figures.
  registry_health current_health();

  /// Forgets webhook ids older than the retention period.
  result<size_t> prune_webhooks();
};

/// Spawnable behavior of the registry. `sink` may be invalid (no events).
registry_actor::behavior_type
registry(registry_actor::stateful_pointer<registry_state> self,
         storage::job_store* store, registry_config config,
         event_sink_actor sink);

} // namespace jobsync
