#include "model/metrics.hpp"

namespace jobsync {

job_facts facts_of(const job& x) {
  job_facts f;
  f.created = created_ms(x);
  f.status = x.status;
  f.type = x.type;
  f.cost_usd = x.cost_usd;
  if (x.started_at && x.completed_at) {
    auto start = parse_rfc3339(*x.started_at);
    auto end = parse_rfc3339(*x.completed_at);
    if (start && end && *end >= *start)
      f.run_ms = *end - *start;
  }
  return f;
}

void metrics_builder::add(const job_facts& x) {
  ++report_.jobs_by_status[static_cast<size_t>(x.status)];
  ++report_.job_count;
  auto& day = days_[format_date(x.created)];
  ++day.total_jobs;
  ++(x.type == job_type::local ? day.local_jobs : day.cloud_jobs);
  if (x.status == job_status::completed)
    ++day.completed;
  else if (x.status == job_status::failed)
    ++day.failed;
  else if (x.status == job_status::cancelled)
    ++day.cancelled;
  if (x.cost_usd) {
    report_.total_cost += *x.cost_usd;
    day.total_cost_usd += *x.cost_usd;
  }
  // The average duration is over completed jobs, as the original defines it.
  if (x.status == job_status::completed && x.run_ms) {
    run_ms_sum_ += *x.run_ms;
    ++run_count_;
  }
}

metrics_report metrics_builder::finish() {
  for (auto& [date, figures] : days_) {
    figures.date = date;
    report_.cost_by_day.push_back(figures);
  }
  if (run_count_ > 0)
    report_.avg_job_duration_seconds = static_cast<double>(run_ms_sum_)
                                       / static_cast<double>(run_count_)
                                       / 1000.0;
  return std::move(report_);
}

} // namespace jobsync
