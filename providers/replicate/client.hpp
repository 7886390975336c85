#pragma once

#include "providers/catalog.hpp"
#include "providers/http_client.hpp"
#include "providers/provider.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace jobsync::providers::replicate {

/// Replicate's documented limit for the requests jobsync makes (everything
/// but creating predictions): 3000 a minute.
inline constexpr int documented_requests_per_minute = 3000;

/// Why `options` cannot work for Replicate; nullopt when they can. An empty
/// token is allowed: such a client reads webhook deliveries but refuses
/// every API call.
std::optional<std::string> check_options(const provider_options& options);

/// The Replicate HTTP API (predictions or trainings) behind the provider
/// interface. Every operation returns at once and answers its callback
/// exactly once, on the client's HTTP thread. The client owns its
/// http_client (one thread, bounded concurrency), started only when it has
/// a token.
class client final : public provider {
public:
  /// Uses the options as given; make_client checks them first.
  explicit client(provider_options options);

  /// Stops: pending operations fail (unavailable) before it returns.
  ~client() override;

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  const std::string& name() const override {
    return options_.name;
  }

  const std::string& label() const override {
    return label_;
  }

  bool can_ask() const override {
    return http_ != nullptr;
  }

  rate_limit_facts rate_limits() const override;

  result<provider_snapshot> parse_webhook(std::string_view body) const override;

  /// `GET /<resource>`, or a `next` URL from an earlier page (used verbatim;
  /// it must point at the API host).
  void list_page(const std::string& cursor,
                 provider_callback<provider_page> done) override;

  /// `GET /<resource>/<id>`.
  void get(const std::string& id,
           provider_callback<provider_snapshot> done) override;

  /// `POST /<resource>/<id>/cancel`.
  void cancel(const std::string& id,
              provider_callback<provider_snapshot> done) override;

  /// `GET /<resource>/<id>`: `logs`, or `output` when logs are empty and
  /// output is a string (some trainers report only there).
  void logs(const std::string& id,
            provider_callback<provider_log> done) override;

  /// `GET /account`: the username the token belongs to.
  void validate(provider_callback<std::string> done) override;

  /// `GET /webhooks/default/secret`.
  void webhook_secret(provider_callback<std::string> done) override;

  /// Fails everything pending and stops the HTTP thread; later calls fail
  /// at once on the calling thread. Idempotent.
  void stop();

  /// Requests submitted and not completed yet.
  size_t pending_requests() const;

private:
  /// Sends `req`; a 2xx JSON body goes through `parse` (which answers a
  /// value or why the body is not as expected), every other outcome
  /// becomes the failure it stands for.
  template <class T, class Parse>
  void exchange(http_request req, provider_callback<T> done, Parse parse);

  /// A request with the auth, accept and user-agent headers and deadlines.
  http_request make_request(const char* method, std::string url) const;

  /// get() and cancel(): one job object back.
  void get_job(const std::string& id, bool cancel,
               provider_callback<provider_snapshot> done);

  /// The URL of a job.
  std::string job_url(const std::string& id) const;

  /// Fixed at construction.
  provider_options options_;
  std::string label_ = "Replicate";
  /// `jobsync/<version>`.
  std::string user_agent_;
  /// What the last answer's rate-limit headers said.
  mutable std::mutex limits_mtx_;
  rate_limit_facts limits_;
  /// Last member: it is destroyed (and its callbacks, which use the
  /// members above, have run) before anything else. Null without a token.
  std::unique_ptr<http_client> http_;
};

/// Checks `options` and makes a client (bad_request with the reason).
result<std::shared_ptr<provider>> make_client(provider_options options);

} // namespace jobsync::providers::replicate
