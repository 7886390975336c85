#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"
#include "model/result.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobsync::http {

/// The parsed `GET /api/events` request.
struct events_request {
  /// Where to resume: the `Last-Event-ID` header, else the `lastEventId`
  /// parameter (for clients that cannot set headers); as sent.
  std::optional<std::string> last_event_id;
  /// `?job_id=`: only this job's events.
  std::optional<std::string> job_id;
  /// `?provider=`: only this provider's events.
  std::optional<std::string> provider;
};

/// Reads the resume point and the filters. The header wins over the
/// parameter: EventSource sends the header on reconnects, with the URL it
/// first opened. A malformed query or an empty filter is a bad_request;
/// other parameters (`access_token`, cache busters) are ignored.
result<events_request>
parse_events_request(std::string_view raw_query,
                     const std::optional<std::string>& last_event_id_header);

/// The headers of an event stream: `text/event-stream`, no caching, no
/// proxy buffering.
std::vector<std::pair<std::string, std::string>> event_stream_headers();

/// `GET /api/events`: one request to the SSE hub, which opens the stream
/// or refuses it (503 at a connection limit).
handler events(std::shared_ptr<const api> a);

} // namespace jobsync::http
