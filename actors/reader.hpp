#pragma once

#include "actors/messages.hpp"
#include "storage/job_store.hpp"

#include <caf/typed_event_based_actor.hpp>

namespace jobsync {

/// A reader needs nothing but the store; each request opens its own read
/// transaction, so any number of readers run beside the registry.
struct reader_state {
  static inline const char* name = "reader";
  const storage::job_store* store = nullptr;
};

/// Spawnable behavior of one reader of the pool.
reader_actor::behavior_type
reader(reader_actor::stateful_pointer<reader_state> self,
       const storage::job_store* store);

} // namespace jobsync
