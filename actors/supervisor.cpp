#include "actors/supervisor.hpp"

#include "logging/log.hpp"

#include <caf/actor_cast.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

#include <algorithm>

namespace jobsync {

void supervisor_state::init(std::map<std::string, supervised> watched) {
  for (auto& [name, x] : watched) {
    self_->monitor(x.actor);
    watched_[name] = supervisor_state::watched{std::move(x)};
  }
}

std::chrono::seconds supervisor_state::restart_delay(uint32_t n) {
  auto doublings = std::min<uint32_t>(n == 0 ? 0 : n - 1, 6);
  return std::chrono::seconds{std::min<int64_t>(int64_t{1} << doublings, 60)};
}

void supervisor_state::stopped(const caf::down_msg& down) {
  for (auto& [name, w] : watched_) {
    if (w.actor.address() != down.source)
      continue;
    auto delay = restart_delay(++w.restarts);
    log::error("supervisor", "{} stopped ({}); restart #{} in {} s", name,
               caf::to_string(down.reason), w.restarts, delay.count());
    self_->delayed_send(self_, delay, restart_atom::value, provider_name{name});
    return;
  }
}

void supervisor_state::restart(const provider_name& name) {
  auto i = watched_.find(name.value);
  if (i == watched_.end())
    return;
  auto& w = i->second;
  w.actor = w.start_again();
  self_->monitor(w.actor);
  log::info("supervisor", "{} started again", name.value);
}

void supervisor_state::stop_all(const caf::error& reason) {
  for (auto& [name, w] : watched_) {
    self_->demonitor(w.actor);
    self_->send_exit(w.actor, reason);
  }
}

supervisor_actor::behavior_type
supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
           std::map<std::string, supervised> watched) {
  self->state.init(std::move(watched));
  self->set_down_handler(
      [=](caf::down_msg& down) { self->state.stopped(down); });
  // The watched actors stop with the supervisor (wiring's ordered
  // shutdown).
  self->set_exit_handler([=](caf::exit_msg& msg) {
    self->state.stop_all(msg.reason);
    self->quit(msg.reason);
  });
  return {
      [=](restart_atom, const provider_name& name) {
        self->state.restart(name);
      },
  };
}

} // namespace jobsync
