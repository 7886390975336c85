#pragma once

// A report of a local trainer (SimpleTuner's "raw" webhook, sent to
// `POST /callback`), read into one normalized shape whatever spelling the
// trainer used: current events and the legacy aliases alike.

#include "model/result.hpp"
#include "model/timestamp.hpp"
#include "model/validation_image.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// The kinds of report a trainer sends.
enum class trainer_event_type : uint8_t {
  /// A message for people (also any type word jobsync does not know, as
  /// SimpleTuner's own server treats them).
  notification,
  /// One line of the trainer's log (`log.message`).
  log_message,
  /// A setup or saving stage started, moved or ended (`lifecycle.stage`).
  lifecycle_stage,
  /// The training loop's state and progress (`training.status`, also the
  /// SSE-side name `training.progress`).
  training_status,
  /// A checkpoint was written (`training.checkpoint`).
  checkpoint,
  /// Validation results with images (`training.validation`).
  validation,
  /// An intermediate preview of a validation image (`validation.image`).
  validation_preview,
  /// The run failed (`error`, from the trainer's top-level handler).
  error,
  /// The legacy progress report (`message_type: progress_update`).
  legacy_progress,
};

/// The word of a type as jobsync names it ("training.status", ...).
std::string_view to_string(trainer_event_type x);

/// Progress figures a report carries; each may be missing.
struct trainer_progress {
  std::optional<int64_t> step;
  std::optional<int64_t> total_steps;
  /// 0..100.
  std::optional<double> percent;
  std::optional<double> eta_seconds;
  std::optional<double> loss;
  /// The live rate (`metrics.learning_rate`); the trainer's `data.lr`
  /// never changes from its initial value and is ignored.
  std::optional<double> learning_rate;
  std::optional<double> epoch;

  /// Whether any figure is present.
  bool empty() const;
};

/// One trainer report, normalized. Nothing of the body is kept beyond
/// these fields: in particular not `data` (which holds the whole training
/// configuration, callback API key included, in `training_complete`).
struct trainer_event {
  trainer_event_type type = trainer_event_type::notification;
  /// The type word as sent (after the aliases), for logs.
  std::string type_name;
  /// critical, error, warning, info or debug (unknown words: info).
  std::string severity = "info";
  std::optional<std::string> title;
  std::optional<std::string> message;
  /// The job the report is about; missing when the trainer has none
  /// (a command-line run without SIMPLETUNER_JOB_ID).
  std::optional<std::string> job_id;
  /// When the trainer says it happened; missing or unreadable: nullopt.
  std::optional<unix_ms> timestamp;
  /// `stage.key`, `stage.label` and `stage.status` of a lifecycle stage (or
  /// the legacy report's `progress_type`).
  std::optional<std::string> stage_key;
  std::optional<std::string> stage_label;
  std::optional<std::string> stage_status;
  /// `data.status`, else `status`: the training state the report names.
  std::optional<std::string> status;
  trainer_progress progress;
  /// `error` and `traceback` of a failure report.
  std::optional<std::string> error_text;
  std::optional<std::string> traceback;
  /// `tracked_by` of jobsync-track's start report ("jobsync-track"): the
  /// command runs under it, so a cancel reaches the process.
  std::optional<std::string> tracked_by;
  /// `checkpoint.path` of a saved checkpoint.
  std::optional<std::string> checkpoint_path;
  /// The newest usable image of a validation report: the last entry of
  /// `images` that is a base64 PNG within the size bound.
  std::optional<png_image> image;
  /// Entries of `images` not kept (not base64, not PNG, too large, or
  /// older than the one kept).
  size_t images_skipped = 0;
};

/// Bounds applied while reading a report.
struct trainer_event_limits {
  /// Larger decoded images are skipped.
  size_t max_image_bytes = size_t{8} << 20;
};

/// Longest title or message kept; longer ones are cut at a character
/// boundary and end in "...".
inline constexpr size_t max_trainer_text_bytes = 4096;

/// Longest traceback kept: its end, where the exception is named.
inline constexpr size_t max_trainer_traceback_bytes = 8192;

/// Reads a callback body. bad_request when it is not a JSON object, or
/// when its job id is longer than max_job_id_bytes or holds
/// control characters. Everything else is lenient: a field of the wrong
/// type counts as missing.
result<trainer_event> parse_trainer_event(std::string_view body,
                                          const trainer_event_limits& limits);

/// Cuts text to at most `max_bytes` bytes without splitting a UTF-8
/// sequence; cut text ends in "...".
std::string bound_text(std::string_view text, size_t max_bytes);

/// Keeps the last `max_bytes` bytes of text, starting at a UTF-8 character;
/// cut text starts with "...".
std::string bound_text_tail(std::string_view text, size_t max_bytes);

} // namespace jobsync
