#pragma once

#include "model/timestamp.hpp"

namespace jobsync::http {

/// When this process started (Unix ms), for `jobsync_start_time_seconds`
/// and the health report's uptime: taken while the program's statics are
/// initialized, before main runs.
unix_ms process_started();

} // namespace jobsync::http
