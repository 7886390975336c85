#pragma once

#include "model/result.hpp"
#include "providers/hardware_pricing.hpp"
#include "providers/provider.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace jobsync::providers {

/// What a provider is made from; main fills it from the provider's
/// configuration section (providers never read the configuration).
struct provider_options {
  /// The provider's name: which implementation, and its name in jobs.
  std::string name;
  /// Base of every URL, including the version (`https://.../v1`).
  std::string api_base_url;
  /// Sent as `Authorization: Bearer <token>`; empty: the API is not asked
  /// (webhook deliveries are still read).
  std::string api_token;
  /// The provider's collection that holds the jobs ("predictions").
  std::string resource;
  /// Deadline of each request once sent, and of its connection phase.
  std::chrono::milliseconds request_timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  /// Requests in flight at once; more wait in submission order.
  size_t max_concurrency = 0;
  /// How cost and hardware_type are derived.
  hardware_pricing pricing;
};

/// Makes the provider `options.name`. bad_request when jobsync does not
/// know that provider or the options cannot work (the message says why).
result<std::shared_ptr<provider>> make_provider(provider_options options);

} // namespace jobsync::providers
