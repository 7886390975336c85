#pragma once

#include "model/job.hpp"
#include "model/job_logs.hpp"
#include "model/json.hpp"

#include <optional>

namespace jobsync {

/// Writes the API's job object, with the derived is_terminal, is_active and
/// duration_seconds (computed at `now`).
void write_job(json_writer& w, const job& x, unix_ms now);

/// Writes the persisted fields of a job (the storage codec's payload).
void write_stored_job(json_writer& w, const job& x);

/// Reads what write_stored_job wrote; nullopt when a required field is
/// missing or has the wrong type.
std::optional<job> read_stored_job(const rapidjson::Value& v);

/// Writes a job_logs record (the storage codec's payload).
void write_stored_logs(json_writer& w, const job_logs& x);

/// Reads what write_stored_logs wrote.
std::optional<job_logs> read_stored_logs(const rapidjson::Value& v);

} // namespace jobsync
