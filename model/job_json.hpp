#pragma once

#include "model/freshness.hpp"
#include "model/job.hpp"
#include "model/job_logs.hpp"
#include "model/json.hpp"

#include <optional>

namespace jobsync {

/// Renders the members of a job's API object that only change when the job
/// is written.
rendered_job render_job(const job& x);

/// Appends `ms` milliseconds as seconds, exactly as json_writer's Double
/// writes ms / 1000.0 (e.g. 1800.0, 1.5, 0.001), without the double.
void append_seconds(std::string& out, int64_t ms);

/// Appends the API's job object to `out`: the rendered members, then the
/// derived is_terminal, is_active, duration_seconds (computed at `now`),
/// synced_at (RFC 3339 or null) and stale (by `staleness` at `now`). Pages
/// are built with this: it copies the stored bytes once.
void append_job(std::string& out, const rendered_job& x, unix_ms now,
                const staleness_rule& staleness = {});

/// Writes what append_job appends.
void write_job(json_writer& w, const rendered_job& x, unix_ms now,
               const staleness_rule& staleness = {});

/// Writes the API's job object of a job.
void write_job(json_writer& w, const job& x, unix_ms now,
               const staleness_rule& staleness = {});

/// The JSON object a job is stored as: its rendered members and the fields
/// only the store needs (`external_id`).
std::string stored_job_json(const rendered_job& r, const job& x);

/// Reads what stored_job_json wrote; nullopt when a required field is
/// missing or has the wrong type.
std::optional<job> read_stored_job(const rapidjson::Value& v);

/// Writes a job_logs record (the storage codec's payload).
void write_stored_logs(json_writer& w, const job_logs& x);

/// Reads what write_stored_logs wrote.
std::optional<job_logs> read_stored_logs(const rapidjson::Value& v);

} // namespace jobsync
