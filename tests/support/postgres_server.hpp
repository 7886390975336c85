#pragma once

#include "tests/support/child_process.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::test {

/// The folder of initdb and pg_ctl from Debian's postgresql package (the
/// newest version installed); nullopt when they are missing.
std::optional<std::string> postgres_bin_dir();

/// A throwaway PostgreSQL server: a fresh cluster in a temporary folder,
/// listening on a free loopback port and on a unix socket in that folder,
/// with fsync off (nothing here must survive a machine crash). The
/// superuser "jobsync" is trusted on the socket and must give
/// `password` over TCP. PostgreSQL refuses to run as root, so when the
/// tests do (CI), initdb and the server run as the user "postgres" (or
/// "nobody") through runuser, in a folder handed to that user. No system
/// service is involved. Stopped and removed on destruction.
class postgres_server {
public:
  /// The password TCP connections need.
  static constexpr const char* password = "throwaway-Pg-pw";

  /// Creates the cluster and starts it; throws std::runtime_error with the
  /// tools' output when that fails.
  postgres_server();
  ~postgres_server();

  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;

  /// Stops the server (fast shutdown: connections are cut).
  void stop();

  /// Starts it again on the same folder and port.
  void start();

  uint16_t port() const {
    return port_;
  }

  /// A libpq connection string for `database` over the unix socket.
  std::string url(const std::string& database) const;

  /// A libpq connection string for `database` over TCP (needs password).
  std::string tcp_url(const std::string& database) const;

  /// Creates a fresh, empty database and returns its name.
  std::string create_database();

  /// Whether a session of `database` waits for a lock right now (to know
  /// that a concurrent transaction is blocked, without sleeping).
  bool has_lock_waiters(const std::string& database);

  /// The database a url() names.
  static std::string database_of(const std::string& url);

  /// Runs SQL on `database` and returns the rows as text; throws on error.
  std::vector<std::vector<std::string>> query(const std::string& database,
                                              const std::string& sql);

private:
  // Runs a PostgreSQL tool as the server's user; throws when it fails.
  void run_tool(const std::string& tool, std::vector<std::string> args);
  bool try_start();

  std::string bin_;
  temp_dir dir_;
  std::string data_;
  uint16_t port_ = 0;
  bool running_ = false;
  int next_database_ = 1;
};

/// The server of this test process, started on first use; the unit tests
/// share it, each store taking a fresh database. Stopped by
/// stop_shared_postgres() (the tests' global fixture) or at exit.
postgres_server& shared_postgres();

/// Stops the shared server, if one was started.
void stop_shared_postgres();

} // namespace jobsync::test
