#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace jobsync::http {

/// Descriptors kept for everything that is not a client connection: the
/// store, provider connections, the I/O threads' wakeups, logs.
inline constexpr size_t reserved_descriptors = 128;

/// Raises the process's soft open-file limit to its hard limit and returns
/// the soft limit in force afterwards.
size_t raise_open_file_limit();

/// How many connections the HTTP server holds at once and how many of them
/// may be event streams.
struct connection_budget {
  size_t connections = 0;
  size_t event_streams = 0;
  /// Why a configured value was lowered, for the log.
  std::vector<std::string> warnings;
};

/// The budget for `open_files` descriptors. `configured_connections` 0
/// means all the descriptors allow. RESTinio stops accepting for good when
/// accept fails for lack of descriptors, so the budget always stays below
/// the limit; event streams leave room for API requests beside them.
connection_budget plan_connections(size_t open_files,
                                   size_t configured_connections,
                                   size_t configured_event_streams);

} // namespace jobsync::http
