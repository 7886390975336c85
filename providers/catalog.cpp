#include "providers/catalog.hpp"

#include "providers/replicate/client.hpp"

namespace jobsync::providers {

// The one list of provider implementations: a second provider adds its
// folder beside replicate/ and one line here.
result<std::shared_ptr<provider>> make_provider(provider_options options) {
  if (options.name == "replicate")
    return replicate::make_client(std::move(options));
  return failure{errc::bad_request, "jobsync does not know a provider named '"
                                        + options.name + "'"};
}

} // namespace jobsync::providers
