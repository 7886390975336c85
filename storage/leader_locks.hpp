#pragma once

#include "model/polling.hpp"
#include "model/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace jobsync::storage {

/// This replica's claim on polling each provider, among the replicas that
/// share a store: one lock per provider, held by at most one replica,
/// released when that replica stops or loses its connection to the store.
/// Its calls block on the network; they belong on a thread of their own.
class leader_locks {
public:
  virtual ~leader_locks() = default;

  /// Takes the lock of every provider nobody holds, and says for each
  /// provider who holds its lock now. A failure (the store cannot be
  /// reached) gives up every lock this replica held.
  virtual result<std::map<std::string, poll_leadership>>
  claim(const std::vector<std::string>& providers) = 0;
};

} // namespace jobsync::storage
