#pragma once

#include "actors/messages.hpp"
#include "model/event_stream.hpp"
#include "model/replay_ring.hpp"
#include "model/result.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace jobsync {

/// How the SSE hub serves `GET /api/events` (config `events.*`, whose
/// defaults are in config/settings.hpp).
struct sse_hub_config {
  /// A `: keepalive` comment goes to every stream this often; shorter than
  /// the HTTP layer's request timeout, which closes silent responses.
  std::chrono::milliseconds heartbeat{0};
  /// Events kept for `Last-Event-ID` resumes.
  size_t replay_buffer = 0;
  /// Open streams at most, and per client address.
  size_t max_connections = 0;
  size_t max_connections_per_address = 0;
  /// A subscriber that owes more than this many unsent bytes at two
  /// heartbeats in a row (a whole interval without catching up) is
  /// dropped. Checked at heartbeats, not at each write, so a burst that a
  /// reader is still taking in is not mistaken for a stall.
  size_t max_buffered_bytes = 0;
  /// The reconnect delay suggested to clients (`retry:`).
  std::chrono::milliseconds retry{0};
  /// The store's event counter when the hub starts (set by wiring): resumes
  /// from this id on are served exactly after a restart.
  uint64_t last_event_id = 0;
  /// The newest events the store kept, up to last_event_id, oldest first
  /// (set by wiring; a shared store keeps them so that a client moving to
  /// this replica can resume): the ring starts with them.
  std::vector<job_changed> backlog;
  /// How long a drain waits for the ends of the streams to be written.
  std::chrono::milliseconds drain_timeout{2000};

  /// Rejects settings the hub cannot work with.
  result<void> validate() const;
};

/// The hub's state: the subscribers, the replay ring, the events waiting
/// for the next fan-out and the counters.
struct sse_hub_state {
  static inline const char* name = "sse_hub";

  struct subscriber {
    std::shared_ptr<event_output> output;
    uint64_t connection_id = 0;
    std::string address;
    std::optional<std::string> job_id;
    std::optional<std::string> provider;
    /// It owed more than the bound at the last heartbeat.
    bool over_bound = false;

    /// Whether the subscription's filters let this event through.
    bool wants(const retained_event& e) const;
  };

  sse_hub_config config;
  replay_ring ring{1, 0};
  /// By subscriber id (ids only grow, so this is subscription order).
  std::map<uint64_t, subscriber> subscribers;
  std::multimap<uint64_t, uint64_t> by_connection;
  std::unordered_map<std::string, size_t> per_address;
  uint64_t next_subscriber = 1;
  /// Events received since the last fan-out (see publish()).
  std::vector<job_changed> pending;
  bool flush_scheduled = false;
  /// After a drain: every subscription is refused.
  bool draining = false;
  /// Stream ends a drain still waits for, and who waits.
  size_t ends_outstanding = 0;
  std::vector<caf::typed_response_promise<uint64_t>> drain_waiters;
  uint64_t drained_count = 0;
  event_stream_stats stats;
  /// The heartbeat comment, one buffer for every stream.
  std::shared_ptr<const std::string> keepalive;

  /// Takes the configuration (validated by the caller).
  void init(sse_hub_config cfg);

  /// Formats the pending events, keeps them in the ring and sends them to
  /// every subscriber that wants them, in one write per subscriber (the
  /// buffer is shared, so a backlog costs a reference, not a copy). Call
  /// before anything that reads the ring or the subscribers, so that no
  /// event can be both replayed and sent live.
  void publish();

  /// Accepts a subscriber: opens its stream and writes the connect frame
  /// and its replay (or resync_required) before returning, so that the
  /// next publish() continues exactly where the replay ended. Answers the
  /// subscriber id; unavailable at a limit or during a drain.
  result<uint64_t> subscribe(event_subscription& s);

  /// Events up to `id` are lost to this hub (the store pruned them before
  /// it could read them): the ring restarts after `id`, and every
  /// subscriber is sent resync_required, since it cannot have them all.
  void resync(uint64_t id);

  /// Drops every subscriber of a closed connection; returns how many.
  size_t disconnect(uint64_t connection_id);

  /// Writes the keepalive comment to every subscriber, and drops those
  /// that owed more than max_buffered_bytes at this and the previous
  /// heartbeat.
  void heartbeat();

  /// Ends every stream. `on_end` (may be empty) is passed to each
  /// output's close. Returns how many streams were ended.
  size_t close_all(const std::function<void()>& on_end);

  /// The counters as of now.
  event_stream_stats status() const;

private:
  using iterator = std::map<uint64_t, subscriber>::iterator;

  /// Removes a subscriber from every index, ending its stream.
  iterator remove(iterator i);

  /// Drops a subscriber that did not catch up for a whole heartbeat
  /// interval (logging why); false, and its state noted, otherwise.
  bool drop_if_slow(iterator& i);
};

/// Spawnable behavior of the SSE hub. Spawned by wiring (detached: a
/// fan-out to thousands of streams should not hold a shared worker).
sse_hub_actor::behavior_type
sse_hub(sse_hub_actor::stateful_pointer<sse_hub_state> self,
        sse_hub_config config);

} // namespace jobsync
