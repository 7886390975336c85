#pragma once

#include "actors/messages.hpp"
#include "model/result.hpp"

#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace jobsync {

/// How the watchdog reports (systemd's `Type=notify`, `WatchdogSec=`).
struct watchdog_config {
  /// Sends one notification ("READY=1\nSTATUS=...", "WATCHDOG=1").
  std::function<void(const std::string&)> notify;
  /// systemd's watchdog timeout; pings go out at half of it. Unset: no
  /// pings, only READY and STATUS.
  std::optional<std::chrono::microseconds> watchdog_timeout;
  /// How often readiness is asked until the server is ready.
  std::chrono::milliseconds startup_interval{200};
  /// How often it is asked afterwards when there is no watchdog (STATUS
  /// keeps following readiness).
  std::chrono::milliseconds status_interval{10000};
  /// Where the server listens, for the status line ("127.0.0.1:8080").
  std::string serving;

  /// Rejects settings the watchdog cannot work with.
  result<void> validate() const;
};

/// The watchdog's state: what it last told the service manager.
class watchdog_state {
public:
  static inline const char* name = "watchdog";

  /// Takes the configuration (validated by the caller).
  void init(watchdog_config cfg);

  /// Reports one readiness answer: READY=1 the first time it is ready, a
  /// STATUS line when the state changed, and a watchdog ping.
  void on_answer(const readiness& r);

  /// Reports that readiness did not answer in time: no ping, so a wedged
  /// registry makes systemd restart the server.
  void on_silence(const std::string& why);

  /// How long until the next question: the ping period once ready (or
  /// the status period), the start-up period before.
  std::chrono::milliseconds next_interval() const;

  /// The deadline of one readiness question.
  std::chrono::milliseconds question_deadline() const;

  /// The current status line (tests).
  const std::string& status_line() const {
    return status_;
  }

private:
  void set_status(std::string line);

  watchdog_config config_;
  bool ready_sent_ = false;
  std::string status_;
};

/// Spawnable behavior of the watchdog: asks `source` for readiness on a
/// timer and
/// reports the answers.
watchdog_actor::behavior_type
watchdog(watchdog_actor::stateful_pointer<watchdog_state> self,
         watchdog_config config, readiness_actor source);

} // namespace jobsync
