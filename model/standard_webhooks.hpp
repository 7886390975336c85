#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The symmetric profile of Standard Webhooks, which Replicate's webhook
// signatures follow (docs/api.md, the webhook receiver): HMAC-SHA256 over
// "<webhook-id>.<webhook-timestamp>.<raw body>", keyed with the
// base64-decoded part of a `whsec_` secret, sent as a space-separated list of
// `v1,<base64>` entries. The sender (replicate-sim) and the receiver
// (jobsync's webhook route) share this code.

namespace jobsync {

/// Standard base64 (RFC 4648 alphabet, `=` padded).
std::string base64_encode(std::string_view bytes);

/// Decodes standard base64. Padding is optional; whitespace, the URL-safe
/// alphabet and any other stray character make it fail.
std::optional<std::string> base64_decode(std::string_view text);

/// Decodes a webhook secret to the HMAC key bytes: `whsec_<base64>` or a
/// bare base64 string. nullopt when the base64 part is invalid or empty.
std::optional<std::string> decode_webhook_secret(std::string_view secret);

/// Serializes key bytes as `whsec_<base64>`.
std::string encode_webhook_secret(std::string_view key);

/// The raw HMAC-SHA256 of `msg_id.timestamp.body` with `key` (32 bytes).
std::string webhook_hmac(std::string_view key, std::string_view msg_id,
                         std::string_view timestamp, std::string_view body);

/// The `webhook-signature` entry for one message: `v1,<base64 HMAC>`.
std::string sign_webhook(std::string_view key, std::string_view msg_id,
                         int64_t timestamp, std::string_view body);

/// Outcome of checking one incoming webhook.
enum class webhook_verdict {
  /// A `v1` entry matched and the timestamp is within tolerance.
  ok,
  /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or
  /// empty.
  missing_header,
  /// A header is present but unusable: the id contains `.`, the timestamp
  /// is not a decimal integer, or the signature list has no
  /// `<version>,<signature>` entry at all.
  malformed_header,
  /// The timestamp lies more than the tolerance in the past (replay).
  timestamp_too_old,
  /// The timestamp lies more than the tolerance in the future.
  timestamp_too_new,
  /// The headers are well-formed but no `v1` signature matches.
  no_match,
};

/// A short lower-case name for logs and error bodies.
const char* to_string(webhook_verdict x);

/// The three Standard Webhooks header values as received; nullopt when the
/// header was absent.
struct webhook_headers {
  /// Value of `webhook-id`.
  std::optional<std::string_view> id;
  /// Value of `webhook-timestamp` (Unix seconds of this attempt).
  std::optional<std::string_view> timestamp;
  /// Value of `webhook-signature` (space-separated entries).
  std::optional<std::string_view> signature;
};

/// Verifies a webhook against `key` (decoded secret bytes). Checks, in
/// order: all headers present, well-formed, |now - timestamp| <= tolerance,
/// then compares every `v1` entry in constant time; entries with other
/// versions are skipped. `now_seconds` is the receiver's Unix time.
webhook_verdict verify_webhook(std::string_view key,
                               const webhook_headers& headers,
                               std::string_view body, int64_t now_seconds,
                               int64_t tolerance_seconds = 300);

} // namespace jobsync
