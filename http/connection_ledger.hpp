#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace jobsync::http {

/// Counts, per connection, the requests whose response is not completely
/// written yet. A connection without any is idle: the server may write a
/// refusal of its own to it (a request that is not valid HTTP) without
/// cutting into another response. Safe from any thread.
class connection_ledger {
public:
  /// A request of this connection reached a handler.
  void request_started(uint64_t connection_id);

  /// One response of this connection was written (or could not be).
  void response_written(uint64_t connection_id);

  /// The connection closed; whatever it owed is forgotten.
  void connection_closed(uint64_t connection_id);

  /// Whether every request of this connection was answered and written.
  bool idle(uint64_t connection_id) const;

  /// How many requests of this connection started and are not answered
  /// and written yet.
  uint32_t owed(uint64_t connection_id) const;

private:
  mutable std::mutex mtx_;
  // Only connections that owe a response have an entry.
  std::unordered_map<uint64_t, uint32_t> pending_;
};

} // namespace jobsync::http
