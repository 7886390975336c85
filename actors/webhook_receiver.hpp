#pragma once

#include "actors/failure_limiter.hpp"
#include "actors/messages.hpp"
#include "actors/reply_to.hpp"
#include "model/result.hpp"
#include "providers/provider.hpp"

#include <caf/error.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jobsync {

/// How the webhook deliveries of one provider are checked.
struct webhook_receiver_config {
  /// The signing secret from the configuration (`whsec_<base64>`); empty:
  /// fetched from the provider when the first signed delivery needs it, and
  /// cached (see secret_recheck).
  std::string secret;
  /// How a person sets the secret, for messages: the configuration key and
  /// its environment variables.
  std::string secret_setting;
  /// Development only: deliveries without a `webhook-signature` header are
  /// accepted. A signature that is present is still checked.
  bool allow_unsigned = false;
  /// How far `webhook-timestamp` may be from the receiver's clock.
  std::chrono::seconds tolerance{0};
  /// Failed signature checks one address may make per minute before it is
  /// answered 429.
  int failed_signatures_per_minute = 0;
  /// How long deliveries wait for the provider to hand out the secret.
  std::chrono::milliseconds secret_fetch_timeout{5000};
  /// After a failed fetch, deliveries are refused without asking the
  /// provider again for this long.
  std::chrono::milliseconds secret_retry{5000};
  /// A fetched secret is fetched again when a delivery's signature does not
  /// match it (the provider may have rotated it), at most this often, so
  /// that bad deliveries cannot make the receiver hammer the provider.
  std::chrono::milliseconds secret_recheck{60000};

  /// Rejects settings the receiver cannot work with (a secret that is not
  /// `whsec_<base64>`, a non-positive tolerance or limit).
  result<void> validate() const;
};

/// The receiver's state: the secret, the deliveries waiting for it, and the
/// failed checks per address.
struct webhook_receiver_state {
  static inline const char* name = "webhook_receiver";

  using clock = failure_limiter::clock;

  /// A delivery that arrived while the secret was being fetched.
  struct waiting_delivery {
    webhook_request request;
    reply_to<webhook_outcome> requester;
  };

  webhook_receiver_config config;
  /// Reads the deliveries' bodies.
  std::shared_ptr<const providers::provider> provider;
  registry_actor registry;
  sync_actor sync;
  /// The decoded HMAC key, once known.
  std::optional<std::string> key;
  /// The key came from the provider (not the configuration), so it may be
  /// rotated there.
  bool key_fetched = false;
  /// When the provider was last asked for the secret.
  std::optional<clock::time_point> last_fetch;
  /// A fetch from the provider is in flight.
  bool fetching = false;
  std::vector<waiting_delivery> waiting;
  /// Set after a failed fetch: until then deliveries are refused with
  /// `fetch_error` without asking again.
  std::optional<clock::time_point> fetch_failed_until;
  std::string fetch_error;
  /// Replaced at start by one with the configured limit.
  failure_limiter failures{1};

  /// Whether the delivery needs the key (it is signed, or unsigned ones
  /// are not allowed).
  bool needs_key(const webhook_request& r) const;

  /// Whether to ask the provider for the secret again before checking this
  /// delivery: the key was fetched, the delivery's signature does not match
  /// it, and the last fetch is at least `secret_recheck` old.
  bool may_recheck_secret(const webhook_request& r,
                          clock::time_point now) const;

  /// Checks the signature against the key (which must be known): nullopt
  /// when it holds. A failed check counts against the client's address and
  /// becomes rate_limited (with the rest of the window as retry-after) once
  /// the address is over its limit.
  std::optional<failure> check_signature(const webhook_request& r,
                                         clock::time_point now);

  /// Parses an accepted delivery into what the registry records.
  result<webhook_delivery> to_delivery(const webhook_request& r) const;

  /// Takes a reloaded configuration (validated by the caller): a new
  /// configured secret replaces the key at once; without one, the key is
  /// fetched from the provider when next needed.
  void reconfigure(webhook_receiver_config c);
};

/// Spawnable behavior of the webhook receiver of one provider.
webhook_receiver_actor::behavior_type webhook_receiver(
    webhook_receiver_actor::stateful_pointer<webhook_receiver_state> self,
    webhook_receiver_config config,
    std::shared_ptr<const providers::provider> provider,
    registry_actor registry, sync_actor sync);

} // namespace jobsync
