#pragma once

// Sends reports to a callback URL the way SimpleTuner's trainer does: one
// POST per report on a fresh connection, `Content-Type: application/json`,
// the webhook's auth token as `X-API-Key`, a 5 s timeout, and no retry:
// a report that is not answered 2xx is lost.

#include <chrono>
#include <string>

namespace jobsync::tools {

/// Where reports go.
struct report_target {
  /// The callback URL (`http://127.0.0.1:8080/callback`).
  std::string url;
  /// Sent as `X-API-Key` when not empty.
  std::string api_key;
  /// Connect and answer deadline of one report (the trainer's 5 s).
  std::chrono::milliseconds timeout{5000};
};

/// What became of one report.
struct report_result {
  /// The HTTP status; 0 when none arrived (refused, timed out).
  long status = 0;
  /// From sending the request to the whole answer.
  double milliseconds = 0;
  std::string body;
  /// libcurl's reason when status is 0.
  std::string error;

  /// The receiver took it (2xx).
  bool acknowledged() const {
    return status >= 200 && status < 300;
  }
};

/// Posts one report and waits for the answer.
report_result send_report(const report_target& target, const std::string& body);

} // namespace jobsync::tools
