#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace jobsync::test {

/// A real program started by a test: its stdout and stderr are collected by
/// a reader thread (so the child never blocks on a full pipe) and can be
/// awaited. The destructor kills the child if it still runs.
class child_process {
public:
  /// Starts `argv[0]` with `argv` and the extra environment variables.
  child_process(std::vector<std::string> argv,
                std::map<std::string, std::string> env = {});
  ~child_process();

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Waits until the output contains `needle`; returns the output from the
  /// start of the first line containing it to the end of that line.
  std::optional<std::string> wait_for_line(const std::string& needle,
                                           std::chrono::milliseconds timeout
                                           = std::chrono::seconds(30));

  /// Waits for "listening on <host>:<port>" and returns the port.
  std::optional<uint16_t> wait_for_port(std::chrono::milliseconds timeout
                                        = std::chrono::seconds(60));

  /// Everything the child has written so far (stdout and stderr).
  std::string output() const;

  /// Sends a signal.
  void signal(int sig);

  /// Waits for the exit; returns the exit code (128 + signal when killed),
  /// nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout
                               = std::chrono::seconds(30));

  pid_t pid() const {
    return pid_;
  }

private:
  void read_loop(int fd);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::thread reader_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::string output_;
  bool eof_ = false;
};

/// Polls `condition` until it holds or `timeout` passes; returns its last
/// value. For conditions that can only be observed from outside.
template <class Predicate>
bool eventually(Predicate condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds step
                = std::chrono::milliseconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition())
      return true;
    std::this_thread::sleep_for(step);
  }
  return condition();
}

/// A fresh empty directory under the system temp dir, removed on
/// destruction.
class temp_dir {
public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const {
    return path_;
  }

private:
  std::string path_;
};

/// Writes `text` to `path`.
void write_file(const std::string& path, const std::string& text);

} // namespace jobsync::test
