#include "actors/supervisor.hpp"

#include "logging/log.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>

#include <algorithm>
#include <memory>

namespace jobsync {

namespace {

struct watched {
  poller_actor poller;
  poller_factory factory;
  uint32_t restarts = 0;
};

} // namespace

caf::behavior supervisor(caf::event_based_actor* self,
                         std::map<std::string, poller_actor> pollers,
                         std::map<std::string, poller_factory> factories,
                         sync_actor sync) {
  auto state = std::make_shared<std::map<std::string, watched>>();
  for (auto& [name, poller] : pollers) {
    self->monitor(poller);
    (*state)[name] = watched{poller, factories[name], 0};
  }
  // Pollers stop with the supervisor (wiring's ordered shutdown).
  self->attach_functor([state](const caf::error& reason) {
    if (reason == caf::exit_reason::user_shutdown)
      for (auto& [name, w] : *state)
        caf::anon_send_exit(w.poller, caf::exit_reason::user_shutdown);
  });
  self->set_down_handler([=](caf::down_msg& down) {
    for (auto& [name, w] : *state) {
      if (caf::actor_cast<caf::actor_addr>(w.poller) != down.source)
        continue;
      auto restarts = ++w.restarts;
      auto delay = std::chrono::seconds{std::min<int64_t>(
          int64_t{1} << std::min<uint32_t>(restarts - 1, 6), 60)};
      log::error("supervisor", "poller of {} stopped ({}); restart #{} in {} s",
                 name, caf::to_string(down.reason), restarts, delay.count());
      auto provider = name;
      self->delayed_send(self, delay, restart_atom::value, provider);
      return;
    }
  });
  return {
      [=](restart_atom, std::string& provider) {
        auto i = state->find(provider);
        if (i == state->end())
          return;
        i->second.poller = i->second.factory();
        self->monitor(i->second.poller);
        self->send(sync, put_atom::value, provider, i->second.poller);
        log::info("supervisor", "poller of {} started again", provider);
      },
  };
}

} // namespace jobsync
