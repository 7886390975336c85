#pragma once

#include "actors/messages.hpp"

#include <caf/event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace jobsync {

/// Spawns a fresh poller for a provider (after a crash).
using poller_factory = std::function<poller_actor()>;

/// Watches the pollers: one that crashes is logged, counted and started
/// again after an exponential backoff (1 s doubling up to a minute), and
/// the sync actor is told about the replacement.
caf::behavior supervisor(caf::event_based_actor* self,
                         std::map<std::string, poller_actor> pollers,
                         std::map<std::string, poller_factory> factories,
                         sync_actor sync);

} // namespace jobsync
