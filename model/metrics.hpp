#pragma once

#include "model/job.hpp"
#include "model/status.hpp"
#include "model/timestamp.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jobsync {

/// The facts about one job that the dashboard figures need.
struct job_facts {
  unix_ms created = 0;
  job_status status = job_status::pending;
  job_type type = job_type::cloud;
  std::optional<double> cost_usd;
  /// completed_at - started_at of a finished job, in milliseconds.
  std::optional<int64_t> run_ms;
};

/// The facts of a stored job: its run is counted when both timestamps
/// parse and the end is not before the start.
job_facts facts_of(const job& x);

/// Figures of one calendar day (UTC) of the period, named as the
/// original's `cost_by_day` entries.
struct day_figures {
  std::string date;
  uint64_t total_jobs = 0;
  uint64_t completed = 0;
  uint64_t failed = 0;
  uint64_t cancelled = 0;
  uint64_t local_jobs = 0;
  uint64_t cloud_jobs = 0;
  double total_cost_usd = 0;
};

/// The figures of `GET /api/cloud/metrics` over jobs created in the period.
struct metrics_report {
  int period_days = 30;
  std::array<uint64_t, 7> jobs_by_status{};
  uint64_t job_count = 0;
  double total_cost = 0;
  std::optional<double> avg_job_duration_seconds;
  /// Ascending by date; only days with jobs.
  std::vector<day_figures> cost_by_day;
};

/// Accumulates job facts into a report.
class metrics_builder {
public:
  explicit metrics_builder(int period_days) {
    report_.period_days = period_days;
  }

  /// Adds one job created within the period.
  void add(const job_facts& x);

  /// The finished report.
  metrics_report finish();

private:
  metrics_report report_;
  std::map<std::string, day_figures> days_;
  int64_t run_ms_sum_ = 0;
  uint64_t run_count_ = 0;
};

} // namespace jobsync
