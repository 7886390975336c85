#pragma once

#include "tools/replicate-sim/simulator.hpp"
#include "tools/replicate-sim/webhook_sender.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::sim {

/// The command line of `replicate-sim`.
struct sim_options {
  /// Address to bind.
  std::string host = "127.0.0.1";
  /// Port to bind; 0 picks a free one.
  uint16_t port = 0;
  /// HTTP I/O threads.
  size_t threads = 2;
  /// Accepted bearer tokens.
  std::vector<std::string> tokens;
  /// The webhook signing secret (`whsec_...`).
  std::string webhook_secret = "whsec_JhtKyXjkonAPMwgNwJc7/boX1udLYLwe";
  /// Virtual clock speed.
  double speed = 1.0;
  /// Virtual start time; nullopt = the wall clock at start.
  std::optional<nanos> start_time;
  /// Jobs to create at start.
  size_t jobs = 0;
  /// How far back seeded jobs reach.
  double jobs_spread_seconds = 6 * 3600;
  /// Base of absolute links; empty = `http://<host>:<port>/v1`.
  std::string public_url;
  /// Extra models (`owner/name[:version]`).
  std::vector<std::string> models;
  /// Simulator settings.
  simulator_config sim;
  /// Webhook delivery settings.
  webhook_policy webhook;
  /// How often jobs are checked for webhook events.
  int tick_ms = 50;
  /// Answer 429 once Replicate's per-minute limits are exceeded.
  bool enforce_rate_limits = false;
  /// Log every request and webhook attempt to stderr.
  bool verbose = false;
};

/// The result of parsing the command line.
struct parsed_options {
  /// Set on success.
  std::optional<sim_options> options;
  /// `--help` was given.
  bool help = false;
  /// What was wrong.
  std::string error;
};

/// Parses `argv` (`--flag value` or `--flag=value`).
parsed_options parse_options(int argc, char** argv);

/// The `--help` text: every flag and the admin API.
std::string help_text();

} // namespace jobsync::sim
