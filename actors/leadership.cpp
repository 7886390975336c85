#include "actors/leadership.hpp"

#include "logging/log.hpp"

namespace jobsync {

result<void> leadership_config::validate() const {
  if (replica.empty())
    return failure{errc::bad_request, "the replica needs a name"};
  if (period.count() <= 0)
    return failure{errc::bad_request,
                   "the leadership claim period must be positive"};
  return {};
}

void leadership_state::init(leadership_config config,
                            std::shared_ptr<storage::leader_locks> locks,
                            std::map<std::string, poller_actor> pollers) {
  config_ = std::move(config);
  locks_ = std::move(locks);
  pollers_ = std::move(pollers);
  self_->send(self_, tick_atom::value);
}

void leadership_state::tell(const std::string& provider,
                            const poll_leadership& l) {
  auto before = told_.find(provider);
  bool changed = before == told_.end() || before->second.leading != l.leading
                 || before->second.leader != l.leader;
  if (!changed)
    return;
  told_[provider] = l;
  if (auto p = pollers_.find(provider); p != pollers_.end() && p->second)
    self_->send(p->second, lead_atom::value, l);
  if (l.leading)
    log::info("leadership", "{}: this replica ({}) polls it now", provider,
              config_.replica);
  else if (!l.leader.empty())
    log::info("leadership", "{}: replica {} polls it", provider, l.leader);
  else
    log::info("leadership", "{}: no replica is known to poll it", provider);
}

void leadership_state::claim() {
  std::vector<std::string> providers;
  for (const auto& [name, poller] : pollers_)
    providers.push_back(name);
  auto claimed = locks_->claim(providers);
  if (claimed) {
    if (failing_)
      log::info("leadership", "the polling locks can be claimed again");
    failing_ = false;
    for (const auto& [provider, l] : *claimed)
      tell(provider, l);
  } else {
    // Whatever this replica held is given up: it polls nothing until the
    // database answers again (without it nothing could be stored anyway).
    if (!failing_)
      log::warning("leadership",
                   "cannot claim the polling locks ({}); this replica polls "
                   "nothing until it can",
                   claimed.error().detail);
    failing_ = true;
    for (const auto& provider : providers)
      tell(provider, poll_leadership{false, {}});
  }
  self_->delayed_send(self_, config_.period, tick_atom::value);
}

void leadership_state::replace(const provider_name& provider,
                               poller_actor poller) {
  auto p = pollers_.find(provider.value);
  if (p == pollers_.end())
    return;
  p->second = std::move(poller);
  if (auto known = told_.find(provider.value); known != told_.end())
    self_->send(p->second, lead_atom::value, known->second);
}

leadership_actor::behavior_type
leadership(leadership_actor::stateful_pointer<leadership_state> self,
           leadership_config config,
           std::shared_ptr<storage::leader_locks> locks,
           std::map<std::string, poller_actor> pollers) {
  self->state.init(std::move(config), std::move(locks), std::move(pollers));
  return {
      [=](tick_atom) { self->state.claim(); },
      [=](put_atom, const provider_name& provider, poller_actor& replacement) {
        self->state.replace(provider, std::move(replacement));
      },
  };
}

} // namespace jobsync
