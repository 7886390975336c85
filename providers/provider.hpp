#pragma once

#include "model/provider_snapshot.hpp"
#include "model/result.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The seam between jobsync and one provider of training jobs. Everything
// jobsync knows about a provider's API is behind this interface: the actors
// page, fetch, cancel and validate through it, the webhook receiver reads
// deliveries through it, and tests give the actors a fake.

namespace jobsync::providers {

/// Receives the outcome of one provider operation exactly once: on the
/// provider's own thread, or at once on the calling thread when the request
/// cannot even be sent. It must be cheap and must not block (actors turn it
/// into a message).
///
/// Failures use the API's error codes: unauthorized (the provider refused
/// the token), not_found (no such job), bad_request (the provider refused
/// the request itself), rate_limited (with the provider's retry_after when
/// it gave one), provider_error (5xx, or an answer that cannot be read),
/// timeout (no answer before the deadline), unavailable (no connection).
template <class T>
using provider_callback = std::function<void(result<T>)>;

/// One page of a provider's newest-first job list.
struct provider_page {
  /// The page's jobs, newest first.
  std::vector<provider_snapshot> jobs;
  /// The cursor of the next (older) page for list_page; nullopt on the last.
  std::optional<std::string> next;
  /// Entries that were not job objects and were left out (and logged).
  size_t skipped = 0;
};

/// A job's full log text and the job itself as fetched with it.
struct provider_log {
  /// Empty when the provider has none.
  std::string text;
  provider_snapshot snapshot;
};

/// What jobsync knows about a provider's rate limits.
struct rate_limit_facts {
  /// The provider's documented limit for the requests jobsync makes.
  int documented_per_minute = 0;
  /// What the provider's last answer said: requests left in the current
  /// window and seconds until it resets (empty when it did not say).
  std::optional<int64_t> remaining;
  std::optional<int64_t> reset_seconds;
};

/// Whether repeating a failed request later may succeed: rate limits,
/// provider failures, timeouts and lost connections.
bool is_transient(errc code);

/// One provider (Replicate, ...): its identity, how to read its webhook
/// deliveries, and its API. The API operations return at once and answer
/// their callback later. Implementations are thread-safe.
class provider {
public:
  virtual ~provider();

  /// The name in jobs, routes and configuration keys ("replicate").
  virtual const std::string& name() const = 0;

  /// The name for people ("Replicate").
  virtual const std::string& label() const = 0;

  /// Whether the API can be asked at all (the provider has a token).
  virtual bool can_ask() const = 0;

  /// The documented limit and the last answer's rate-limit headers.
  virtual rate_limit_facts rate_limits() const = 0;

  /// Reads a webhook delivery's body into a snapshot; bad_request with the
  /// reason when it is not one of the provider's job objects.
  virtual result<provider_snapshot>
  parse_webhook(std::string_view body) const = 0;

  /// One page of the newest-first job list: the first for an empty cursor,
  /// else the `next` of an earlier page.
  virtual void list_page(const std::string& cursor,
                         provider_callback<provider_page> done)
      = 0;

  /// One job by the provider's id.
  virtual void get(const std::string& id,
                   provider_callback<provider_snapshot> done)
      = 0;

  /// Cancels a job; answers the job as the provider returned it.
  virtual void cancel(const std::string& id,
                      provider_callback<provider_snapshot> done)
      = 0;

  /// A job's full log text.
  virtual void logs(const std::string& id, provider_callback<provider_log> done)
      = 0;

  /// Checks the token; answers the account's name.
  virtual void validate(provider_callback<std::string> done) = 0;

  /// The webhook signing secret (`whsec_...`).
  virtual void webhook_secret(provider_callback<std::string> done) = 0;
};

} // namespace jobsync::providers
