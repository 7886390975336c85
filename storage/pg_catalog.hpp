#pragma once

// Every statement the PostgreSQL store runs, in one place, and the decoding
// of the rows they share. Statements are prepared once per connection.

#include "model/payloads.hpp"
#include "storage/pg.hpp"

#include <optional>

namespace jobsync::storage::pg {

/// The NOTIFY channel that announces committed events.
inline constexpr const char* event_channel = "jobsync_events";

// -- reads -------------------------------------------------------------------

inline constexpr statement get_job{
    "get_job", "SELECT value FROM jobsync_jobs WHERE job_id = $1::text"};

/// The job and a row lock held until the transaction ends.
inline constexpr statement lock_job{
    "lock_job", "SELECT value, type, status, provider FROM jobsync_jobs "
                "WHERE job_id = $1::text FOR UPDATE"};

inline constexpr statement get_logs{
    "get_logs", "SELECT value FROM jobsync_logs WHERE job_id = $1::text"};

inline constexpr statement get_image{
    "get_image", "SELECT value FROM jobsync_images WHERE job_id = $1::text"};

/// A newest-first page; $1 status mask (0: any), $2 type or NULL, $3
/// provider or NULL. The index on (created_ms, job_id) is walked backwards
/// and the walk stops after offset + limit matches.
inline constexpr statement list_page{
    "list_page",
    "SELECT job_id, value FROM jobsync_jobs "
    "WHERE ($1::integer = 0 OR ($1::integer & (1 << status)) <> 0) "
    "AND ($2::smallint IS NULL OR type = $2::smallint) "
    "AND ($3::text IS NULL OR provider = $3::text) "
    "ORDER BY created_ms DESC, job_id DESC LIMIT $4::bigint OFFSET $5::bigint"};

inline constexpr statement get_counters{
    "get_counters", "SELECT type, status, provider, n FROM jobsync_counts "
                    "WHERE n <> 0 ORDER BY type, status, provider"};

inline constexpr statement active_jobs{
    "active_jobs", "SELECT value FROM jobsync_jobs WHERE provider = $1::text "
                   "AND status < 4 ORDER BY job_id"};

inline constexpr statement find_external{
    "find_external", "SELECT job_id FROM jobsync_jobs WHERE provider = "
                     "$1::text AND external_id = $2::text AND external_id <> "
                     "'' AND job_id <> external_id ORDER BY job_id LIMIT 1"};

inline constexpr statement has_webhook{
    "has_webhook",
    "SELECT 1 FROM jobsync_webhooks WHERE webhook_id = $1::text"};

inline constexpr statement last_event_id{
    "last_event_id",
    "SELECT value FROM jobsync_meta WHERE key = 'last_event_id'"};

/// The newest $1 events, newest first.
inline constexpr statement recent_events{
    "recent_events",
    "SELECT id, job_id, provider, previous, status, stage, progress FROM "
    "jobsync_events ORDER BY id DESC LIMIT $1::bigint"};

/// Up to $2 events after id $1, oldest first.
inline constexpr statement events_after{
    "events_after",
    "SELECT id, job_id, provider, previous, status, stage, progress FROM "
    "jobsync_events WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint"};

/// Active jobs per provider that has one, and how many of them are stale:
/// reached their provider and were last confirmed (or, never confirmed,
/// counted from $1) before $2.
inline constexpr statement stale_jobs{
    "stale_jobs",
    "SELECT provider, count(*) FILTER (WHERE external_id <> '' AND "
    "coalesce(synced_ms, $1::bigint) < $2::bigint) FROM jobsync_jobs WHERE "
    "status < 4 AND provider IS NOT NULL GROUP BY provider ORDER BY provider "
    "COLLATE \"C\""};

/// What the dashboard figures need of the jobs created since $1.
inline constexpr statement job_facts{
    "job_facts", "SELECT created_ms, status, cost_usd, run_ms, type FROM "
                 "jobsync_jobs WHERE created_ms >= $1::bigint"};

// -- writes ------------------------------------------------------------------

/// $1 job_id, $2 created_ms, $3 status, $4 type, $5 provider, $6
/// external_id, $7 cost_usd, $8 run_ms, $9 value, $10 synced_ms.
inline constexpr statement insert_job{
    "insert_job",
    "INSERT INTO jobsync_jobs (job_id, created_ms, status, type, provider, "
    "external_id, cost_usd, run_ms, value, synced_ms) VALUES ($1::text, "
    "$2::bigint, $3::smallint, $4::smallint, $5::text, $6::text, $7::float8, "
    "$8::bigint, $9::bytea, $10::bigint)"};

/// The parameters of insert_job.
inline constexpr statement update_job{
    "update_job",
    "UPDATE jobsync_jobs SET created_ms = $2::bigint, status = $3::smallint, "
    "type = $4::smallint, provider = $5::text, external_id = $6::text, "
    "cost_usd = $7::float8, run_ms = $8::bigint, value = $9::bytea, "
    "synced_ms = $10::bigint WHERE job_id = $1::text"};

/// A confirmation: $2 the value with its new synced_at, $3 synced_ms.
inline constexpr statement confirm_job{
    "confirm_job", "UPDATE jobsync_jobs SET value = $2::bytea, synced_ms = "
                   "$3::bigint WHERE job_id = $1::text"};

/// Removes a job, its log tail and its image; returns what the counters
/// need.
inline constexpr statement delete_job{
    "delete_job",
    "WITH gone_logs AS (DELETE FROM jobsync_logs WHERE job_id = $1::text), "
    "gone_images AS (DELETE FROM jobsync_images WHERE job_id = $1::text) "
    "DELETE FROM jobsync_jobs WHERE job_id = $1::text RETURNING type, "
    "status, provider"};

inline constexpr statement put_logs{
    "put_logs",
    "INSERT INTO jobsync_logs (job_id, value) VALUES ($1::text, $2::bytea) "
    "ON CONFLICT (job_id) DO UPDATE SET value = EXCLUDED.value"};

inline constexpr statement put_image{
    "put_image",
    "INSERT INTO jobsync_images (job_id, value) VALUES ($1::text, $2::bytea) "
    "ON CONFLICT (job_id) DO UPDATE SET value = EXCLUDED.value"};

/// A row back when this transaction claimed the id; none when another
/// (committed) transaction had. A concurrent claim is waited for.
inline constexpr statement claim_webhook{
    "claim_webhook",
    "INSERT INTO jobsync_webhooks (webhook_id, received_ms) VALUES ($1::text, "
    "$2::bigint) ON CONFLICT (webhook_id) DO NOTHING RETURNING 1"};

inline constexpr statement get_setting{
    "get_setting", "SELECT value FROM jobsync_settings WHERE key = $1::text"};

inline constexpr statement put_setting{
    "put_setting",
    "INSERT INTO jobsync_settings (key, value) VALUES ($1::text, $2::text) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"};

inline constexpr statement prune_webhooks{
    "prune_webhooks",
    "DELETE FROM jobsync_webhooks WHERE received_ms < $1::bigint"};

/// Adds $1 events (text arrays $2..$7: job_id, provider, previous, status,
/// stage, progress), numbered after the counter, which stays locked until
/// the transaction ends: ids are handed out in commit order. Prunes events
/// beyond the newest $8 and announces the new last id on the channel (sent
/// at commit). Returns the new last id.
inline constexpr statement add_events{
    "add_events",
    "WITH next AS (UPDATE jobsync_meta SET value = value + $1::bigint WHERE "
    "key = 'last_event_id' RETURNING value), "
    "added AS (INSERT INTO jobsync_events (id, job_id, provider, previous, "
    "status, stage, progress) SELECT (SELECT value FROM next) - $1::bigint + "
    "e.n, e.job_id, e.provider, e.previous, e.status, e.stage, e.progress "
    "FROM unnest($2::text[], $3::text[], $4::smallint[], $5::smallint[], "
    "$6::text[], $7::float8[]) WITH ORDINALITY AS e(job_id, provider, "
    "previous, status, stage, progress, n)), "
    "pruned AS (DELETE FROM jobsync_events WHERE id <= (SELECT value FROM "
    "next) - $8::bigint) "
    "SELECT value, pg_notify('jobsync_events', value::text) FROM next"};

/// Adds counter deltas (arrays $1 type, $2 status, $3 provider ('' for
/// none), $4 delta), locking the counter rows in one fixed order so that
/// concurrent transactions cannot deadlock on them.
inline constexpr statement add_counts{
    "add_counts",
    "INSERT INTO jobsync_counts (type, status, provider, n) SELECT d.type, "
    "d.status, d.provider, d.n FROM unnest($1::smallint[], $2::smallint[], "
    "$3::text[], $4::bigint[]) AS d(type, status, provider, n) ORDER BY "
    "d.type, d.status, d.provider COLLATE \"C\" ON CONFLICT (type, status, "
    "provider) DO UPDATE SET n = jobsync_counts.n + EXCLUDED.n"};

// -- polling leadership ------------------------------------------------------

/// Takes the session advisory lock ($1, $2) if nobody holds it: 1 when this
/// session holds it now, else 0.
inline constexpr statement try_poll_lock{
    "try_poll_lock", "SELECT pg_try_advisory_lock($1::bigint::integer, "
                     "$2::bigint::integer)::integer"};

/// Every granted two-key advisory lock of this database whose first key is
/// $1: the second key, the holder's application_name (a replica's name)
/// and 1 when this session holds it.
inline constexpr statement poll_lock_holders{
    "poll_lock_holders",
    "SELECT l.objid::bigint, a.application_name, (l.pid = "
    "pg_backend_pid())::integer FROM pg_locks l LEFT JOIN pg_stat_activity a "
    "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND "
    "l.objsubid = 2 AND l.classid = $1::bigint::oid AND l.database = (SELECT "
    "oid FROM pg_database WHERE datname = current_database())"};

// -- rows --------------------------------------------------------------------

/// An event from a row of recent_events or events_after; nullopt when the
/// row is damaged.
std::optional<job_changed> event_of(const rows& r, int row);

} // namespace jobsync::storage::pg
