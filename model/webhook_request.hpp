#pragma once

#include <optional>
#include <string>

namespace jobsync {

/// One webhook POST as it arrived, before anything was checked: what the
/// webhook receiver verifies, parses and records. The signature covers the
/// body's exact bytes, so `body` is never re-encoded.
struct webhook_request {
  /// The raw body bytes as received.
  std::string body;
  /// `webhook-id`; nullopt when the header was absent.
  std::optional<std::string> id;
  /// `webhook-timestamp` (Unix seconds of this attempt).
  std::optional<std::string> timestamp;
  /// `webhook-signature` (space-separated `<version>,<base64>` entries).
  std::optional<std::string> signature;
  /// The client's IP address (failed checks are counted per address).
  std::string remote_address;
};

} // namespace jobsync
