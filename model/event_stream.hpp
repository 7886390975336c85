#pragma once

// The vocabulary of the event stream (`GET /api/events`) between the HTTP
// layer and the SSE hub: the subscriber's output, a subscription and the
// hub's counters. No I/O here: the HTTP layer implements event_output over
// its chunked response, tests implement it with fakes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace jobsync {

/// One subscriber's end of an event stream, as the SSE hub sees it. The hub
/// calls it from its own thread; nothing here may block.
class event_output {
public:
  virtual ~event_output() = default;

  /// Starts the response (status 200 and the stream headers); false when
  /// the request was answered meanwhile (e.g. timed out) so nothing can be
  /// sent.
  virtual bool open() = 0;

  /// Queues bytes for the client. The buffer may be shared with other
  /// subscribers and must not be changed.
  virtual void write(std::shared_ptr<const std::string> bytes) = 0;

  /// Bytes queued by write() that have not reached the connection yet.
  virtual size_t unflushed() const = 0;

  /// Ends the stream; later writes are ignored. `done`, when set, runs on
  /// any thread once the end was handed to the connection or could not be.
  virtual void close(std::function<void()> done) = 0;
};

/// A request to receive job events (`GET /api/events`).
struct event_subscription {
  /// Where the hub writes this subscriber's frames.
  std::shared_ptr<event_output> output;
  /// The HTTP connection (its close notice ends the subscription).
  uint64_t connection_id = 0;
  /// The client's address (the per-address limit counts by it).
  std::string remote_address;
  /// `Last-Event-ID` (or `lastEventId`) exactly as sent; absent on a first
  /// connect.
  std::optional<std::string> last_event_id;
  /// Only events of this job.
  std::optional<std::string> job_id;
  /// Only events of this provider.
  std::optional<std::string> provider;
};

/// The SSE hub's counters (for `GET /metrics`).
struct event_stream_stats {
  /// Streams open now.
  uint64_t subscribers = 0;
  /// Client addresses with a stream open now (the per-address counts).
  uint64_t addresses = 0;
  /// Streams accepted since start.
  uint64_t subscriptions = 0;
  /// Subscriptions refused by a connection limit (503) or a shutdown.
  uint64_t refused = 0;
  /// Subscribers dropped because they did not read fast enough.
  uint64_t dropped_slow = 0;
  /// Streams whose connection closed or broke.
  uint64_t disconnected = 0;
  /// Resumes that got resync_required instead of a replay.
  uint64_t resyncs = 0;
  /// Job events received from the registry.
  uint64_t events = 0;
  /// Event frames written to subscribers (replays included).
  uint64_t frames_sent = 0;
  /// The newest event id known (the store's counter at start before any).
  uint64_t last_event_id = 0;
  /// Events kept for resumes.
  uint64_t replay_size = 0;
};

} // namespace jobsync
