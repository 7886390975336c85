#pragma once

#include "tests/support/child_process.hpp"
#include "tests/support/http.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// The source tree (for config/test.yaml and fixtures).
std::string source_dir();

/// The jobsyncd binary (for tests that run it as a plain child process).
std::string jobsyncd_binary();

/// The real jobsyncd binary on an ephemeral loopback port.
class jobsyncd {
public:
  /// Starts it over `data_dir` with config/test.yaml (or `config`), more
  /// flags (e.g. {"--set", "server.api_token=t"}) and environment, and
  /// waits until it listens; throws otherwise.
  explicit jobsyncd(std::string data_dir, std::vector<std::string> args = {},
                    std::map<std::string, std::string> env = {},
                    std::string config = {});

  /// Sends SIGTERM and waits for the exit if still running.
  ~jobsyncd();

  /// `http://127.0.0.1:<port><path>`.
  std::string url(const std::string& path) const;

  uint16_t port() const {
    return port_;
  }

  child_process& process() {
    return *process_;
  }

  /// Stops with SIGTERM; returns the exit code.
  int stop();

  /// Kills with SIGKILL (no shutdown at all).
  void kill();

private:
  std::unique_ptr<child_process> process_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

/// The real replicate-sim emulator on an ephemeral loopback port.
class replicate_sim {
public:
  /// Starts it with extra flags and waits until it listens.
  explicit replicate_sim(std::vector<std::string> args = {});

  /// The API base URL (`http://127.0.0.1:<port>/v1`).
  std::string api_base() const;

  /// `http://127.0.0.1:<port><path>` (admin calls).
  std::string url(const std::string& path) const;

  /// POSTs a JSON body to an admin path and returns the response.
  http_response admin(const std::string& path, const std::string& body);

  child_process& process() {
    return *process_;
  }

private:
  std::unique_ptr<child_process> process_;
  uint16_t port_ = 0;
};

} // namespace jobsync::test
