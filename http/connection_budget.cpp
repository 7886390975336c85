#include "http/connection_budget.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace jobsync::http {

size_t raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
    return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      lim = raised;
  }
  return lim.rlim_cur == RLIM_INFINITY ? size_t{1} << 20
                                       : static_cast<size_t>(lim.rlim_cur);
}

connection_budget plan_connections(size_t open_files,
                                   size_t configured_connections,
                                   size_t configured_event_streams) {
  connection_budget b;
  // At least a few connections even under an absurdly low limit.
  size_t allowed = open_files > reserved_descriptors + 8
                       ? open_files - reserved_descriptors
                       : 8;
  b.connections = configured_connections == 0
                      ? allowed
                      : std::min(configured_connections, allowed);
  if (configured_connections > allowed)
    b.warnings.push_back("server.max_connections lowered from "
                         + std::to_string(configured_connections) + " to "
                         + std::to_string(allowed) + ": the open-file limit is "
                         + std::to_string(open_files));
  // A quarter of the connections, at most 64, stay for API requests.
  size_t for_requests
      = std::min<size_t>(64, std::max<size_t>(1, b.connections / 4));
  size_t streams = b.connections - for_requests;
  b.event_streams = std::min(configured_event_streams, streams);
  if (configured_event_streams > streams)
    b.warnings.push_back("events.max_connections lowered from "
                         + std::to_string(configured_event_streams) + " to "
                         + std::to_string(streams) + ", so that "
                         + std::to_string(for_requests) + " of the server's "
                         + std::to_string(b.connections)
                         + " connections stay free for API requests");
  return b;
}

} // namespace jobsync::http
