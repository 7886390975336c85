#include "actors/webhook_receiver.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"
#include "model/standard_webhooks.hpp"
#include "model/timestamp.hpp"

#include <algorithm>

namespace jobsync {

namespace {

using self_ptr
    = webhook_receiver_actor::stateful_pointer<webhook_receiver_state>;
using requester_type = reply_to<webhook_outcome>;

// Ids that could never be stored are refused before they reach the
// registry, where one would fail the whole group commit: a job id beyond
// storable_job_id (model/job.hpp), a webhook id over 128 bytes (it is kept in
// one LMDB key with its job's id, storage/codec.hpp's claim_key, and 256 + 128
// bytes leave room for the rest of the key under LMDB's 511). Replicate's
// ids are 26 characters, Standard Webhooks' message ids about 30.
constexpr size_t max_webhook_id_bytes = 128;

bool printable_token(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c > 0x20 && c < 0x7f; });
}

failure no_secret(const webhook_receiver_state& st) {
  return {errc::unauthorized,
          "No webhook signing secret is available to verify this delivery: "
          "set "
              + st.config.secret_setting
              + ", or give jobsync the provider's API token so it can fetch "
                "the secret ("
              + st.fetch_error + ")"};
}

std::string missing_headers(const webhook_request& r) {
  std::string out;
  auto add = [&](const std::optional<std::string>& h, const char* name) {
    if (h && !h->empty())
      return;
    if (!out.empty())
      out += ", ";
    out += name;
  };
  add(r.id, "webhook-id");
  add(r.timestamp, "webhook-timestamp");
  add(r.signature, "webhook-signature");
  return out;
}

std::string why(webhook_verdict v, const webhook_request& r,
                const webhook_receiver_config& c) {
  auto tolerance = std::to_string(c.tolerance.count());
  switch (v) {
  case webhook_verdict::ok:
    break;
  case webhook_verdict::missing_header:
    return "The delivery is not signed: missing " + missing_headers(r)
           + " (Standard Webhooks signature required)";
  case webhook_verdict::malformed_header:
    return "A webhook signature header is malformed: webhook-id must not "
           "contain '.', webhook-timestamp must be integer Unix seconds "
           "and webhook-signature a space-separated list of "
           "'<version>,<base64>' entries";
  case webhook_verdict::timestamp_too_old:
    return "webhook-timestamp is more than " + tolerance
           + " seconds in the past: a replayed or delayed delivery";
  case webhook_verdict::timestamp_too_new:
    return "webhook-timestamp is more than " + tolerance
           + " seconds in the future: check the sender's clock";
  case webhook_verdict::no_match:
    return "No v1 signature matches this delivery: the body was altered "
           "or it was signed with another secret";
  }
  return "The webhook signature was not accepted";
}

// Hands an authentic delivery to the registry, which answers the original
// requester itself after the commit.
void accept(self_ptr self, const webhook_request& r, requester_type requester) {
  auto& st = self->state;
  auto delivery = st.to_delivery(r);
  if (!delivery) {
    log::debug("webhooks", "refused a delivery from {}: {}", r.remote_address,
               delivery.error().detail);
    requester.deliver(delivery.error());
    return;
  }
  requester.forward(st.registry, webhook_atom::value, std::move(*delivery));
}

webhook_headers headers_of(const webhook_request& r) {
  webhook_headers h;
  if (r.id)
    h.id = *r.id;
  if (r.timestamp)
    h.timestamp = *r.timestamp;
  if (r.signature)
    h.signature = *r.signature;
  return h;
}

void check_then_accept(self_ptr self, const webhook_request& r,
                       requester_type requester) {
  if (auto refused = self->state.check_signature(r, self->clock().now())) {
    requester.deliver(*refused);
    return;
  }
  accept(self, r, std::move(requester));
}

void secret_failed(self_ptr self, std::string detail) {
  auto& st = self->state;
  st.fetching = false;
  auto waiting = std::move(st.waiting);
  st.waiting.clear();
  if (st.key) {
    // A re-check after a mismatch failed: the known key still decides.
    log::warning("webhooks",
                 "cannot fetch the webhook signing secret of {} "
                 "again: {}; the one fetched before stays in use",
                 st.provider->name(), detail);
    for (auto& w : waiting)
      check_then_accept(self, w.request, std::move(w.requester));
    return;
  }
  st.fetch_failed_until = self->clock().now() + st.config.secret_retry;
  st.fetch_error = std::move(detail);
  log::warning("webhooks",
               "cannot get the webhook signing secret of {}: {}; signed "
               "deliveries are refused until it can be had (set {})",
               st.provider->name(), st.fetch_error, st.config.secret_setting);
  for (auto& w : waiting)
    w.requester.deliver(no_secret(st));
}

// Asks the provider once for the secret; deliveries that arrive meanwhile
// wait for the same answer.
void fetch_secret(self_ptr self) {
  auto& st = self->state;
  st.fetching = true;
  st.last_fetch = self->clock().now();
  self->request(st.sync, st.config.secret_fetch_timeout, secret_atom::value,
                provider_name{st.provider->name()})
      .then(
          [self](std::string& secret) {
            auto key = decode_webhook_secret(secret);
            if (!key) {
              secret_failed(self,
                            "the provider's secret is not a whsec_<base64> "
                            "value");
              return;
            }
            auto& st = self->state;
            if (st.key && *st.key != *key)
              log::info("webhooks",
                        "the webhook signing secret of {} has "
                        "changed at the provider",
                        st.provider->name());
            st.key = std::move(*key);
            st.key_fetched = true;
            st.fetching = false;
            st.fetch_failed_until.reset();
            log::info("webhooks", "fetched the webhook signing secret of {}",
                      st.provider->name());
            auto waiting = std::move(st.waiting);
            st.waiting.clear();
            for (auto& w : waiting)
              check_then_accept(self, w.request, std::move(w.requester));
          },
          [self](caf::error& e) { secret_failed(self, from_error(e).detail); });
}

void receive(self_ptr self, webhook_request r, requester_type requester) {
  auto& st = self->state;
  if (!st.needs_key(r)) {
    accept(self, r, std::move(requester));
    return;
  }
  if (st.key && !st.fetching) {
    if (st.may_recheck_secret(r, self->clock().now())) {
      st.waiting.push_back({std::move(r), std::move(requester)});
      fetch_secret(self);
      return;
    }
    check_then_accept(self, r, std::move(requester));
    return;
  }
  if (st.fetch_failed_until && self->clock().now() < *st.fetch_failed_until) {
    requester.deliver(no_secret(st));
    return;
  }
  // No key yet, or a re-check in flight: wait for the provider's answer.
  st.waiting.push_back({std::move(r), std::move(requester)});
  if (!st.fetching)
    fetch_secret(self);
}

} // namespace

result<void> webhook_receiver_config::validate() const {
  if (!secret.empty() && !decode_webhook_secret(secret))
    return failure{errc::bad_request,
                   secret_setting
                       + " is not a webhook secret: expected whsec_<base64>"};
  if (tolerance.count() <= 0)
    return failure{errc::bad_request,
                   "webhooks.timestamp_tolerance_seconds must be positive"};
  if (failed_signatures_per_minute <= 0)
    return failure{errc::bad_request,
                   "webhooks.failed_signatures_per_minute must be positive"};
  if (secret_fetch_timeout.count() <= 0 || secret_retry.count() < 0)
    return failure{errc::bad_request,
                   "the webhook secret fetch timeout must be positive"};
  return {};
}

bool webhook_receiver_state::needs_key(const webhook_request& r) const {
  return !(config.allow_unsigned && !r.signature);
}

bool webhook_receiver_state::may_recheck_secret(const webhook_request& r,
                                                clock::time_point now) const {
  if (!key_fetched || (last_fetch && now - *last_fetch < config.secret_recheck))
    return false;
  return verify_webhook(*key, headers_of(r), r.body, now_ms() / 1000,
                        config.tolerance.count())
         == webhook_verdict::no_match;
}

std::optional<failure>
webhook_receiver_state::check_signature(const webhook_request& r,
                                        clock::time_point now) {
  auto verdict = verify_webhook(*key, headers_of(r), r.body, now_ms() / 1000,
                                config.tolerance.count());
  if (verdict == webhook_verdict::ok)
    return std::nullopt;
  auto detail = why(verdict, r, config);
  auto counted = failures.record(r.remote_address, now);
  if (!counted.over) {
    log::debug("webhooks", "refused a delivery from {}: {}", r.remote_address,
               to_string(verdict));
    return failure{errc::unauthorized, std::move(detail)};
  }
  if (counted.crossed)
    log::warning("webhooks",
                 "{} failed more than {} webhook signature checks within a "
                 "minute; its failures are answered 429 until the minute "
                 "ends",
                 r.remote_address, config.failed_signatures_per_minute);
  auto seconds = std::chrono::ceil<std::chrono::seconds>(counted.wait).count();
  return failure{errc::rate_limited,
                 "Too many failed webhook signature checks from "
                     + r.remote_address + " (more than "
                     + std::to_string(config.failed_signatures_per_minute)
                     + " a minute); this one failed too: " + detail,
                 std::chrono::seconds{std::max<int64_t>(1, seconds)}};
}

result<webhook_delivery>
webhook_receiver_state::to_delivery(const webhook_request& r) const {
  if (r.id && (r.id->size() > max_webhook_id_bytes || !printable_token(*r.id)))
    return failure{errc::bad_request,
                   "webhook-id must be at most "
                       + std::to_string(max_webhook_id_bytes)
                       + " printable characters without spaces"};
  auto parsed = provider->parse_webhook(r.body);
  if (!parsed)
    return failure{errc::bad_request,
                   "The webhook body is not a prediction or training "
                   "object: "
                       + parsed.error().detail};
  if (!storable_job_id(parsed->external_id))
    return failure{errc::bad_request,
                   "The webhook body's `id` must be at most "
                       + std::to_string(max_job_id_bytes)
                       + " bytes of UTF-8 without control characters"};
  webhook_delivery d;
  d.webhook_id = r.id.value_or("");
  d.snapshot = std::move(*parsed);
  d.received = now_ms();
  return d;
}

void webhook_receiver_state::reconfigure(webhook_receiver_config c) {
  if (c.failed_signatures_per_minute != config.failed_signatures_per_minute)
    failures = failure_limiter{c.failed_signatures_per_minute};
  bool new_secret = c.secret != config.secret;
  config = std::move(c);
  if (!new_secret)
    return;
  key_fetched = false;
  fetch_failed_until.reset();
  if (!config.secret.empty()) {
    key = decode_webhook_secret(config.secret);
  } else {
    key.reset();
    fetch_error = "no secret is configured";
  }
}

webhook_receiver_actor::behavior_type webhook_receiver(
    webhook_receiver_actor::stateful_pointer<webhook_receiver_state> self,
    webhook_receiver_config config,
    std::shared_ptr<const providers::provider> provider,
    registry_actor registry, sync_actor sync) {
  auto& st = self->state;
  st.config = std::move(config);
  st.provider = std::move(provider);
  st.registry = std::move(registry);
  st.sync = std::move(sync);
  st.failures = failure_limiter{st.config.failed_signatures_per_minute};
  if (!st.config.secret.empty())
    st.key = decode_webhook_secret(st.config.secret);
  st.fetch_error = "no secret is configured";
  self->delayed_send(self, failure_limiter::window, tick_atom::value);
  return {
      [=](webhook_atom, webhook_request& r) {
        auto promise = self->make_response_promise<webhook_outcome>();
        receive(self, std::move(r), promise);
        return promise;
      },
      [=](webhook_atom, webhook_request& r,
          answer_callback<webhook_outcome>& answer) {
        receive(self, std::move(r), std::move(answer));
      },
      [=](tick_atom) {
        self->state.failures.prune(self->clock().now());
        self->delayed_send(self, failure_limiter::window, tick_atom::value);
      },
      [=](reload_atom, webhook_receiver_config& c) {
        self->state.reconfigure(std::move(c));
      },
  };
}

} // namespace jobsync
