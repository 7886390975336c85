#include "actors/supervisor.hpp"

#include "logging/log.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <algorithm>

namespace jobsync {

void supervisor_state::init(std::map<std::string, poller_actor> pollers,
                            std::map<std::string, poller_factory> factories,
                            std::vector<poller_directory_actor> directories) {
  directories_ = std::move(directories);
  for (auto& [name, poller] : pollers) {
    self_->monitor(poller);
    watched_[name] = watched{poller, factories[name], 0};
  }
}

std::chrono::seconds supervisor_state::restart_delay(uint32_t n) {
  auto doublings = std::min<uint32_t>(n == 0 ? 0 : n - 1, 6);
  return std::chrono::seconds{std::min<int64_t>(int64_t{1} << doublings, 60)};
}

void supervisor_state::stopped(const caf::down_msg& down) {
  for (auto& [name, w] : watched_) {
    if (caf::actor_cast<caf::actor_addr>(w.poller) != down.source)
      continue;
    auto delay = restart_delay(++w.restarts);
    log::error("supervisor", "poller of {} stopped ({}); restart #{} in {} s",
               name, caf::to_string(down.reason), w.restarts, delay.count());
    self_->delayed_send(self_, delay, restart_atom::value, provider_name{name});
    return;
  }
}

void supervisor_state::restart(const provider_name& provider) {
  auto i = watched_.find(provider.value);
  if (i == watched_.end())
    return;
  i->second.poller = i->second.factory();
  self_->monitor(i->second.poller);
  for (auto& d : directories_)
    self_->send(d, put_atom::value, provider, i->second.poller);
  log::info("supervisor", "poller of {} started again", provider.value);
}

void supervisor_state::stop_all(const caf::error& reason) {
  for (auto& [name, w] : watched_) {
    self_->demonitor(caf::actor_cast<caf::actor_addr>(w.poller));
    self_->send_exit(w.poller, reason);
  }
}

supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           std::map<std::string, poller_actor> pollers,
           std::map<std::string, poller_factory> factories,
           std::vector<poller_directory_actor> directories) {
  self->state.init(std::move(pollers), std::move(factories),
                   std::move(directories));
  self->set_down_handler(
      [=](caf::down_msg& down) { self->state.stopped(down); });
  // Pollers stop with the supervisor (wiring's ordered shutdown).
  self->set_exit_handler([=](caf::exit_msg& msg) {
    self->state.stop_all(msg.reason);
    self->quit(msg.reason);
  });
  return {
      [=](restart_atom, const provider_name& provider) {
        self->state.restart(provider);
      },
  };
}

} // namespace jobsync
