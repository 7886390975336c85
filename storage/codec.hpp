#pragma once

#include "model/job.hpp"
#include "model/job_logs.hpp"
#include "model/metrics.hpp"
#include "model/validation_image.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace jobsync::storage {

/// The version byte that starts every encoded value. A value written by a
/// newer codec is refused rather than misread.
inline constexpr uint8_t codec_version = 1;

/// The version byte of job values. Version 2 put a header before the JSON
/// (status, duration basis, length of the API members), so that pages are
/// served by splicing stored bytes instead of decoding and re-rendering;
/// version 3 adds to it when the provider last confirmed the job
/// (`synced_at`) and whether the job reached its provider, so that a
/// confirmation rewrites the header alone. Version 2 and version 1 (JSON
/// only) values are still read, with no `synced_at`, and are rewritten as
/// version 3 when next stored.
inline constexpr uint8_t job_codec_version = 3;

/// A job as stored in `live` or `jobs`: the version byte, the header, then
/// JSON.
std::string encode_job(const job& x);

/// Decodes encode_job's output; nullopt for a foreign version or bad data.
std::optional<job> decode_job(std::string_view bytes);

/// The API rendering of a stored job without decoding its JSON; nullopt
/// for a foreign version or bad data.
std::optional<rendered_job> decode_rendered_job(std::string_view job_id,
                                                std::string_view bytes);

/// What decides whether a stored job is stale.
struct job_freshness {
  job_status status = job_status::pending;
  bool reached_provider = false;
  std::optional<unix_ms> synced_at;
};

/// A stored job's freshness, from the header alone when it has one;
/// nullopt for a foreign version or bad data.
std::optional<job_freshness> decode_job_freshness(std::string_view bytes);

/// The stored value with `synced_at` set to `at` and nothing else changed
/// (no decoding, no rendering); nullopt unless it is a current-version
/// value, which the caller then decodes and stores anew.
std::optional<std::string> confirm_job(std::string_view bytes, unix_ms at);

/// A log record as stored in `logs`.
std::string encode_logs(const job_logs& x);

/// Decodes encode_logs's output.
std::optional<job_logs> decode_logs(std::string_view bytes);

/// A validation image as stored in `images`: the version byte, the time it
/// arrived (8 bytes), the length of its ETag (1 byte), the ETag, then the
/// PNG file as is.
std::string encode_image(const validation_image& x);

/// Decodes encode_image's output.
std::optional<validation_image> decode_image(std::string_view bytes);

/// What the `by_created` index keeps beside each key, so that filtered
/// pages, totals and dashboard figures never decode a job.
struct index_entry {
  job_status status = job_status::pending;
  job_type type = job_type::cloud;
  std::optional<std::string> provider;
  job_facts facts;
};

/// The `by_created` value of a job.
std::string encode_index_entry(const job& x);

/// Decodes a `by_created` key and value.
std::optional<index_entry> decode_index_entry(std::string_view key,
                                              std::string_view value);

/// `by_created` key: created time (8 bytes, big-endian, sign bit flipped so
/// byte order is time order) followed by the job id.
std::string created_key(unix_ms created, std::string_view job_id);

/// The job id inside a `by_created` key.
std::string_view job_id_of_created_key(std::string_view key);

/// Keys of a job's own records in the table that holds the job (`live` or
/// `jobs`), beside the job's (its id): the id, a 0 byte, a tag. They sort
/// right after the job and before any other job, so a delivery's writes to
/// a job, its log tail and its webhook id change the same leaf. (Job ids
/// hold no control characters: the receivers refuse them.)
std::string logs_key(std::string_view job_id);

/// What every key beside a job starts with: its id and a 0 byte.
std::string beside_prefix(std::string_view job_id);

/// The key of a webhook id claimed for a job (the tag 'W', then the id).
/// The receivers keep job ids to 256 bytes and webhook ids to 128, so
/// this key and claim_time_key stay under LMDB's 511.
std::string claim_key(std::string_view job_id, std::string_view webhook_id);

/// `claims` key: when a webhook id was received (8 bytes, big-endian, as
/// created_key's), the job id, a 0 byte, the webhook id: claims in the
/// order they expire.
std::string claim_time_key(unix_ms received, std::string_view job_id,
                           std::string_view webhook_id);

/// The job id and webhook id in a claim_time_key; nullopt when malformed.
std::optional<std::pair<std::string_view, std::string_view>>
claim_of_time_key(std::string_view key);

/// `active` and `by_external` key: provider, a 0 byte, then the id.
std::string provider_key(std::string_view provider, std::string_view id);

/// Prefix of every counter key in `meta`.
inline constexpr std::string_view counter_prefix = "count/";

/// `meta` key of the counter of jobs with these attributes.
std::string counter_key(job_type type, job_status status,
                        const std::optional<std::string>& provider);

/// The attributes inside a counter key.
struct counter_attributes {
  job_type type;
  job_status status;
  std::optional<std::string> provider;
};

/// Decodes a counter key; nullopt when malformed.
std::optional<counter_attributes> decode_counter_key(std::string_view key);

/// 8-byte little-endian number (meta values).
std::string encode_u64(uint64_t x);

/// Decodes encode_u64's output; nullopt when the size is wrong.
std::optional<uint64_t> decode_u64(std::string_view bytes);

} // namespace jobsync::storage
