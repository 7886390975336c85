#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace jobsync::providers {

/// What the provider's `ratelimit-remaining` / `ratelimit-reset` headers
/// said on the last response; empty when it sent neither.
struct rate_limit_info {
  /// Requests left in the current window.
  std::optional<int64_t> remaining;
  /// Seconds until the window resets.
  std::optional<int64_t> reset_seconds;

  /// Field-wise equality.
  friend bool operator==(const rate_limit_info& a, const rate_limit_info& b) {
    return a.remaining == b.remaining && a.reset_seconds == b.reset_seconds;
  }
};

/// The classes of failure a caller reacts to differently.
enum class provider_error_kind : uint8_t {
  /// 401: the token is wrong or missing; retrying will not help.
  unauthorized,
  /// 404: no such job (or resource).
  not_found,
  /// 422 and other 4xx: the provider refused the request itself.
  invalid,
  /// 429: back off for `retry_after` when given.
  rate_limited,
  /// 5xx or another unexpected status: the provider is failing.
  provider_failure,
  /// The request's deadline passed after the connection was made.
  timeout,
  /// The provider could not be reached or the connection dropped.
  network,
  /// A response arrived but its body is not JSON of the expected shape.
  malformed,
};

/// A stable lower-case name ("rate_limited", ...) for logs and metrics.
std::string_view to_string(provider_error_kind x);

/// Whether repeating the same request later may succeed (rate limits,
/// provider failures, timeouts, network trouble).
bool is_transient(provider_error_kind x);

/// A failed provider operation, as a value.
struct provider_error {
  provider_error_kind kind = provider_error_kind::provider_failure;
  /// A sentence a person can act on, including the provider's own
  /// `detail` when it sent one.
  std::string message;
  /// The HTTP status, 0 when no response arrived.
  long http_status = 0;
  /// How long the provider asked us to wait (429 `Retry-After` header or
  /// `retry_after` body field).
  std::optional<std::chrono::seconds> retry_after;
};

/// Either a value or a provider_error, plus the rate-limit headers of the
/// last response (for errors too).
template <class T>
class provider_result {
public:
  /// A success.
  provider_result(T value, rate_limit_info limits = {})
      : rate_limit(std::move(limits)),
        value_(std::in_place_index<0>, std::move(value)) {}

  /// A failure.
  provider_result(provider_error error, rate_limit_info limits = {})
      : rate_limit(std::move(limits)),
        value_(std::in_place_index<1>, std::move(error)) {}

  /// Whether this holds a value.
  bool ok() const {
    return value_.index() == 0;
  }

  /// Same as ok().
  explicit operator bool() const {
    return ok();
  }

  /// The value; only when ok().
  T& value() {
    return std::get<0>(value_);
  }

  /// The value; only when ok().
  const T& value() const {
    return std::get<0>(value_);
  }

  /// The error; only when !ok().
  const provider_error& error() const {
    return std::get<1>(value_);
  }

  /// The rate-limit headers of the last response this result came from.
  rate_limit_info rate_limit;

private:
  /// The value (index 0) or the error (index 1).
  std::variant<T, provider_error> value_;
};

} // namespace jobsync::providers
