#include "actors/watchdog.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"

#include <algorithm>

namespace jobsync {

result<void> watchdog_config::validate() const {
  if (!notify)
    return failure{errc::bad_request, "the watchdog needs a way to notify"};
  if (watchdog_timeout && watchdog_timeout->count() < 2000)
    return failure{errc::bad_request,
                   "the watchdog timeout must be at least 2 ms"};
  if (startup_interval.count() <= 0 || status_interval.count() <= 0)
    return failure{errc::bad_request,
                   "the watchdog's intervals must be positive"};
  return {};
}

void watchdog_state::init(watchdog_config cfg) {
  config_ = std::move(cfg);
}

void watchdog_state::set_status(std::string line) {
  if (line == status_)
    return;
  status_ = std::move(line);
  config_.notify("STATUS=" + status_);
}

void watchdog_state::on_answer(const readiness& r) {
  if (r.ready) {
    set_status("Serving on " + config_.serving);
    if (!ready_sent_) {
      ready_sent_ = true;
      config_.notify("READY=1");
      log::info("watchdog", "told the service manager that jobsyncd is ready");
    }
  } else {
    set_status((ready_sent_ ? "Degraded: " : "Starting: ") + r.reason);
  }
  // Any answer proves the actors behind readiness (the registry, the
  // pollers) still handle messages; a not-ready server is alive too.
  if (config_.watchdog_timeout)
    config_.notify("WATCHDOG=1");
}

void watchdog_state::on_silence(const std::string& why) {
  log::warning("watchdog", "readiness did not answer ({}); no watchdog ping",
               why);
  set_status("Not answering: " + why);
}

std::chrono::milliseconds watchdog_state::next_interval() const {
  if (!ready_sent_)
    return config_.startup_interval;
  if (config_.watchdog_timeout)
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        *config_.watchdog_timeout / 2);
  return config_.status_interval;
}

std::chrono::milliseconds watchdog_state::question_deadline() const {
  // A question must be answered before the next ping is due, else the
  // ping is skipped and systemd sees the silence.
  return std::max(next_interval(), std::chrono::milliseconds{100});
}

watchdog_actor::behavior_type
watchdog(watchdog_actor::stateful_pointer<watchdog_state> self,
         watchdog_config config, readiness_actor source) {
  self->state.init(std::move(config));
  self->send(self, tick_atom::value);
  return {
      [=](tick_atom) {
        auto& st = self->state;
        self->request(source, st.question_deadline(), ready_atom::value)
            .then(
                [=](readiness& r) {
                  self->state.on_answer(r);
                  self->delayed_send(self, self->state.next_interval(),
                                     tick_atom::value);
                },
                [=](caf::error& e) {
                  self->state.on_silence(from_error(e).detail);
                  self->delayed_send(self, self->state.next_interval(),
                                     tick_atom::value);
                });
      },
  };
}

} // namespace jobsync
