#include "http/process_start.hpp"

namespace jobsync::http {

namespace {

const unix_ms started_at = now_ms();

} // namespace

unix_ms process_started() {
  return started_at;
}

} // namespace jobsync::http
