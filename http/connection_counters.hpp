#pragma once

#include <atomic>
#include <cstdint>

namespace jobsync::http {

/// What the server knows about its connections, for `GET /metrics`: the
/// server writes them from its I/O threads, the metrics handler reads them.
struct connection_counters {
  /// Connections accepted and not yet closed.
  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> closed{0};
  /// Connections closed at once because `open` was at the limit.
  std::atomic<uint64_t> refused{0};
};

} // namespace jobsync::http
