#include "actors/liveness.hpp"

#include "actors/error.hpp"
#include "logging/log.hpp"
#include "model/trainer_rules.hpp"

namespace jobsync {

result<void> liveness_config::validate() const {
  if (silence_timeout.count() <= 0)
    return failure{errc::bad_request, "the silence timeout must be positive"};
  if (interval.count() <= 0)
    return failure{errc::bad_request,
                   "the liveness check interval must be positive"};
  return {};
}

void liveness_state::init(liveness_config config, registry_actor registry,
                          reader_actor reader) {
  config_ = std::move(config);
  registry_ = std::move(registry);
  reader_ = std::move(reader);
  wall_at_start_ = now_ms();
  clock_at_start_ = self_->clock().now();
  status_.provider = std::string{local_provider};
  status_.enabled = true;
  status_.replica = config_.replica;
  status_.leadership = poll_leadership{true, config_.replica};
  status_.reason = "liveness check: a running local job with no report for "
                   + std::to_string(config_.silence_timeout.count())
                   + " s fails";
  status_.interval_seconds = static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.interval)
          .count());
  tick();
}

unix_ms liveness_state::wall_now() const {
  return wall_at_start_
         + std::chrono::duration_cast<std::chrono::milliseconds>(
               self_->clock().now() - clock_at_start_)
               .count();
}

void liveness_state::tick() {
  self_->delayed_send(self_, config_.interval, tick_atom::value);
  status_.next_cycle = wall_now() + config_.interval.count();
  if (running_)
    return;
  running_ = true;
  status_.cycle_running = true;
  current_ = cycle_report{};
  current_.started = wall_now();
  self_
      ->request(reader_, caf::infinite, active_atom::value,
                provider_name{std::string{local_provider}})
      .then([this](std::vector<job>& jobs) { on_active(jobs); },
            [this](caf::error& e) { end_cycle(0, from_error(e).detail); });
}

void liveness_state::on_active(std::vector<job>& jobs) {
  auto at = wall_now();
  silence_check check{{}, config_.silence_timeout, at};
  current_.jobs_active = jobs.size();
  current_.jobs_checked = jobs.size();
  for (const auto& x : jobs)
    if (is_silent(x, config_.silence_timeout, at))
      check.job_ids.push_back(x.job_id);
  if (check.job_ids.empty()) {
    end_cycle(0, {});
    return;
  }
  // The registry decides again inside its transaction: a report that
  // arrived meanwhile keeps the job running.
  self_->request(registry_, caf::infinite, silent_atom::value, std::move(check))
      .then(
          [this](std::vector<std::string>& failed) {
            for (const auto& id : failed)
              log::warning("liveness",
                           "local job {} failed: no report from its trainer "
                           "for {} s",
                           id, config_.silence_timeout.count());
            end_cycle(failed.size(), {});
          },
          [this](caf::error& e) { end_cycle(0, from_error(e).detail); });
}

void liveness_state::end_cycle(uint64_t failed, const std::string& error) {
  running_ = false;
  current_.duration_ms = wall_now() - current_.started;
  current_.jobs_changed = failed;
  current_.jobs_lost = failed;
  current_.complete = error.empty();
  if (!error.empty()) {
    current_.errors = 1;
    current_.last_error = error;
    log::warning("liveness", "the liveness check of local jobs failed: {}",
                 error);
  }
  ++status_.cycles;
  status_.lost += failed;
  status_.cycle_running = false;
  status_.first_cycle_done = true;
  status_.consecutive_failures
      = error.empty() ? 0 : status_.consecutive_failures + 1;
  status_.last_cycle = current_;
}

poller_status liveness_state::status() const {
  return status_;
}

liveness_actor::behavior_type
liveness(liveness_actor::stateful_pointer<liveness_state> self,
         liveness_config config, registry_actor registry, reader_actor reader) {
  self->state.init(std::move(config), std::move(registry), std::move(reader));
  return {
      [=](status_atom) { return self->state.status(); },
      [=](tick_atom) { self->state.tick(); },
  };
}

} // namespace jobsync
