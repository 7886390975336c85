#pragma once

// The bytes of the event stream (WHATWG "Server-sent events", docs/api.md): one
// function per kind of frame, so the hub only decides what to send.

#include "model/payloads.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// The `data:` JSON of a job change: `type` (job_status_changed), `job_id`,
/// `status`, `previous_status` (null for a discovery), `provider` (null when
/// unknown), plus `stage` and `progress` when known.
std::string event_json(const job_changed& e);

/// One event frame: `id: <event_id>\ndata: <json>\n\n`. No `event:` line,
/// so EventSource's `message` listeners see it.
std::string event_frame(const job_changed& e);

/// Tells a resuming client that its id cannot be served exactly and it must
/// reload: `id: <current_id>\ndata: {"type":"resync_required"}\n\n`. The id
/// moves the client's Last-Event-ID to the present, so its next reconnect
/// resumes instead of asking for a resync again.
std::string resync_frame(uint64_t current_id);

/// The first bytes of every stream: `retry: <ms>\n`, then `id: <id>\n` when
/// given (a first connect learns where it stands, so even its first
/// reconnect resumes without a gap), then the blank line. Dispatches no
/// event.
std::string connect_frame(std::chrono::milliseconds retry,
                          std::optional<uint64_t> id);

/// The heartbeat comment: `: keepalive\n\n`.
std::string_view keepalive_frame();

/// Parses an event id as this server writes them: decimal digits only, no
/// sign or spaces, at most 2^64 - 1; nullopt otherwise.
std::optional<uint64_t> parse_event_id(std::string_view text);

} // namespace jobsync
