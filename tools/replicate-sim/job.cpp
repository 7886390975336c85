#include "tools/replicate-sim/job.hpp"

#include <algorithm>

namespace jobsync::sim {

const char* to_string(job_status x) {
  switch (x) {
  case job_status::starting:
    return "starting";
  case job_status::processing:
    return "processing";
  case job_status::succeeded:
    return "succeeded";
  case job_status::failed:
    return "failed";
  case job_status::canceled:
    return "canceled";
  case job_status::aborted:
    return "aborted";
  }
  return "starting";
}

std::optional<job_status> parse_status(std::string_view s) {
  for (auto x :
       {job_status::starting, job_status::processing, job_status::succeeded,
        job_status::failed, job_status::canceled, job_status::aborted})
    if (s == to_string(x))
      return x;
  return std::nullopt;
}

bool is_terminal(job_status x) {
  return x != job_status::starting && x != job_status::processing;
}

const char* collection_name(job_kind x) {
  return x == job_kind::training ? "trainings" : "predictions";
}

std::optional<job_kind> parse_collection(std::string_view s) {
  if (s == "predictions")
    return job_kind::prediction;
  if (s == "trainings")
    return job_kind::training;
  return std::nullopt;
}

namespace {

// Predictions that succeed publish their output a little before they
// complete, like Cog models that return output and then finish up; that
// is what produces `output` webhooks while still processing.
nanos output_lead(const job& j) {
  return std::min<nanos>(j.plan.processing / 50, 2 * ns_per_second);
}

} // namespace

job_phase phase_at(const job& j, nanos t) {
  job_phase p;
  if (j.ending && t >= j.ending->at) {
    p.status = j.ending->status;
    p.started = j.ending->started;
    p.completed = j.ending->at;
    p.has_output = p.status == job_status::succeeded;
    return p;
  }
  std::optional<nanos> start;
  if (j.forced_start)
    start = j.forced_start;
  else if (j.hold != job_hold::starting)
    start = j.created + j.plan.starting;
  if (j.deadline && (!start || *j.deadline <= *start)) {
    if (t >= *j.deadline) {
      p.status = job_status::aborted;
      p.completed = j.deadline;
    }
    return p;
  }
  if (!start || t < *start)
    return p;
  p.started = start;
  std::optional<nanos> end;
  if (j.hold != job_hold::processing)
    end = *start + j.plan.processing;
  if (j.deadline && (!end || *j.deadline < *end) && t >= *j.deadline) {
    p.status = job_status::canceled;
    p.completed = j.deadline;
    return p;
  }
  if (!end || t < *end) {
    p.status = job_status::processing;
    p.has_output = end && j.kind == job_kind::prediction
                   && j.plan.outcome == job_status::succeeded
                   && t >= *end - output_lead(j)
                   && (!j.deadline || *j.deadline >= *end);
    return p;
  }
  p.status = j.plan.outcome;
  p.completed = end;
  p.has_output = p.status == job_status::succeeded;
  return p;
}

std::optional<std::string> force_transition(job& j, job_status to, nanos now) {
  auto p = phase_at(j, now);
  if (is_terminal(p.status))
    return std::string{"job is already "} + to_string(p.status);
  if (to == job_status::starting)
    return std::string{"job is "} + to_string(p.status)
           + "; it cannot go back to starting";
  if (to == job_status::processing) {
    if (p.status != job_status::starting)
      return std::string{"job is already processing"};
    j.forced_start = now;
    if (j.hold == job_hold::starting)
      j.hold = job_hold::processing;
    return std::nullopt;
  }
  auto started = p.started;
  // Replicate reports a job canceled (or finished) straight from
  // `starting` with started_at a few microseconds before completed_at
  // (tools/replicate-sim/README.md, CAS trainings-cancel); only aborted jobs
  // never start.
  if (!started && to != job_status::aborted)
    started = std::max(j.created, now - 3000);
  j.ending = job_ending{now, to, started};
  return std::nullopt;
}

void apply_fixed_status(job& j, job_status status, nanos now) {
  auto start = std::clamp(j.created + j.plan.starting, j.created, now);
  switch (status) {
  case job_status::starting:
    j.hold = job_hold::starting;
    break;
  case job_status::processing:
    j.hold = job_hold::processing;
    j.forced_start = start;
    break;
  case job_status::aborted:
    j.hold = job_hold::starting;
    j.deadline = start;
    j.ending = job_ending{start, status, std::nullopt};
    break;
  default: {
    auto end = std::clamp(start + j.plan.processing, start, now);
    j.ending = job_ending{end, status, start};
    j.forced_start = start;
    break;
  }
  }
}

} // namespace jobsync::sim
