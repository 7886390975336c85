#pragma once

#include "model/result.hpp"

#include <string>

namespace jobsync::storage {

/// One jobsyncd per data folder. Two servers on one store would hand out
/// the same event ids for different events, and each one's subscribers
/// would miss the other's changes; so the server holds an exclusive POSIX
/// record lock on `<folder>/jobsyncd.lock` (which holds its PID, for
/// people and for the message of a second server) for as long as it runs.
/// The kernel drops the lock with the process, however it ends: a lock
/// file left by a `kill -9` has no holder and is simply taken.
class folder_lock {
public:
  /// The lock file's name inside the data folder.
  static constexpr const char* file_name = "jobsyncd.lock";

  /// Creates the folder if needed and takes the lock. Fails with
  /// `unavailable` when another process holds it (the detail names the
  /// folder and that process's PID), `internal` when the file cannot be
  /// created or locked at all.
  static result<folder_lock> acquire(const std::string& folder);

  folder_lock(folder_lock&& other) noexcept;
  folder_lock& operator=(folder_lock&& other) noexcept;
  folder_lock(const folder_lock&) = delete;
  folder_lock& operator=(const folder_lock&) = delete;

  /// Releases the lock (the file stays; it is harmless without a holder).
  ~folder_lock();

private:
  explicit folder_lock(int fd) : fd_(fd) {}

  int fd_ = -1;
};

} // namespace jobsync::storage
