#pragma once

#include "model/provider_snapshot.hpp"
#include "model/replicate_prediction.hpp"
#include "model/timestamp.hpp"
#include "providers/http_client.hpp"
#include "providers/provider_error.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::providers {

/// Everything a replicate_client needs; main fills it from
/// `config::provider_settings` (providers never read the configuration).
struct replicate_client_config {
  /// The provider's name in snapshots, logs and error messages.
  std::string name = "replicate";
  /// Base of every URL, including the version: `https://.../v1`.
  std::string api_base_url = "https://api.replicate.com/v1";
  /// Sent as `Authorization: Bearer <token>`.
  std::string api_token;
  /// "predictions" or "trainings": the collection that holds the jobs.
  std::string resource = "predictions";
  /// Deadline of each HTTP request once it is sent.
  std::chrono::milliseconds request_timeout{30000};
  /// Deadline of the connection phase of each request.
  std::chrono::milliseconds connect_timeout{10000};
  /// HTTP requests in flight at once; more wait in submission order.
  size_t max_concurrency = 8;
  /// How cost and hardware_type are derived.
  replicate_pricing pricing;

  /// Why this configuration cannot work; nullopt when it can.
  std::optional<std::string> validate() const;
};

/// One page of the provider's newest-first job list.
struct replicate_page {
  /// The page's jobs, newest first.
  std::vector<provider_snapshot> jobs;
  /// The URL of the next (older) page, for list_page; nullopt on the last.
  std::optional<std::string> next;
  /// Entries that were not job objects and were left out (and logged).
  size_t skipped = 0;
};

/// The outcome of list(): jobs newest first plus what it cost.
struct replicate_listing {
  /// At most max_jobs, newest first, none older than the age bound.
  std::vector<provider_snapshot> jobs;
  /// Pages read successfully.
  size_t pages = 0;
  /// HTTP requests made.
  size_t requests = 0;
  /// Entries that were not job objects.
  size_t skipped = 0;
  /// True when the provider's last page was reached (`next` was null);
  /// false when max_jobs or the age bound ended the walk.
  bool exhausted = false;
};

/// The log text of one job and the job itself as fetched with it.
struct replicate_logs {
  /// `logs`, or `output` when logs are empty and output is a string; empty
  /// when the provider has none (null logs).
  std::string text;
  /// The job as it was fetched with its logs.
  provider_snapshot snapshot;
};

/// Receives the outcome of one replicate_client operation, on the HTTP
/// client's thread (see http_callback for the rules).
template <class T>
using provider_callback = std::function<void(provider_result<T>)>;

/// The Replicate HTTP API (predictions or trainings), asynchronous: every
/// operation returns at once and later calls its callback exactly once
/// with a value or a typed provider_error. Thread-safe. The client owns
/// its http_client (one thread, bounded concurrency).
class replicate_client {
public:
  /// Starts the HTTP thread. The configuration is used as given; callers
  /// check validate() first.
  explicit replicate_client(replicate_client_config cfg);

  /// Stops: pending operations fail (kind `network`) before it returns.
  ~replicate_client();

  replicate_client(const replicate_client&) = delete;
  replicate_client& operator=(const replicate_client&) = delete;

  /// Walks the newest-first list, following `next` links, until `max_jobs`
  /// jobs were collected, `next` is null, or a page reaches jobs created
  /// before `created_after` (Unix ms; those older jobs are left out).
  /// Fails as a whole if any page fails. With max_jobs 0 it answers at
  /// once, on the calling thread, without a request.
  void list(size_t max_jobs, std::optional<unix_ms> created_after,
            provider_callback<replicate_listing> callback);

  /// Fetches one page: the first when `url` is empty, else a `next` URL
  /// from an earlier page (used verbatim; it must point at the API host).
  void list_page(std::string url, provider_callback<replicate_page> callback);

  /// `GET /<resource>/<id>`.
  void get(std::string id, provider_callback<provider_snapshot> callback);

  /// `POST /<resource>/<id>/cancel`; the job as the provider returned it.
  void cancel(std::string id, provider_callback<provider_snapshot> callback);

  /// The job's log text (see replicate_logs).
  void logs(std::string id, provider_callback<replicate_logs> callback);

  /// `GET /webhooks/default/secret`: the `whsec_...` signing key.
  void webhook_secret(provider_callback<std::string> callback);

  /// `GET /account`: the username the token belongs to.
  void validate(provider_callback<std::string> callback);

  /// Fails everything pending and stops the HTTP thread; later calls fail
  /// at once on the calling thread. Idempotent.
  void stop();

  /// The configuration this client runs with.
  const replicate_client_config& config() const {
    return cfg_;
  }

  /// Requests submitted and not completed yet.
  size_t pending_requests() const {
    return http_.pending();
  }

private:
  /// The state list() carries from page to page.
  struct list_walk;

  /// A request with the auth, accept and user-agent headers and deadlines.
  http_request make_request(const char* method, std::string url) const;
  /// get() and cancel(): one job object back.
  void get_job(std::string id, bool cancel,
               provider_callback<provider_snapshot> callback);
  /// Fetches the page at `url` and decides whether to go on.
  void walk(std::shared_ptr<list_walk> state, std::string url);

  /// Fixed at construction.
  replicate_client_config cfg_;
  /// `jobsync/<version>`.
  std::string user_agent_;
  /// Last member: it is destroyed (and its callbacks, which use the
  /// members above, have run) before anything else.
  http_client http_;
};

} // namespace jobsync::providers
