#include "app/reload.hpp"

#include "app/assembly.hpp"

namespace jobsync::app {

std::vector<std::string> apply_reloaded(const config::settings& s,
                                        const http::connection_budget& b,
                                        const http::api& api, wiring& w) {
  auto c = api_config_of(s);
  // Jobs never confirmed still count from the server's start.
  c.staleness.since = api.config()->staleness.since;
  c.actor_timeout = api.config()->actor_timeout;
  api.reconfigure(std::move(c));
  std::vector<provider_reload> providers;
  for (const auto& [name, p] : s.providers)
    providers.push_back(provider_reload{name, poller_config_of(s, p),
                                        p.api_token,
                                        webhook_config_of(s, name, p)});
  return w.reconfigure(providers, sync_config_of(s), event_config_of(s, b));
}

} // namespace jobsync::app
