// Trainer reports (POST /callback bodies), from anyone who can reach the
// receiver: reading never crashes and stays within its bounds, and what a
// report does to a local job keeps the job's rules: status only moves
// forward, a terminal job stays as it is, a repeated report changes no
// status, and everything stored reads back unchanged (its text made
// UTF-8 once, when it was not).

#include "tests/fuzz/fuzz_target.hpp"

#include "model/trainer_rules.hpp"
#include "model/utf8.hpp"
#include "storage/codec.hpp"

using namespace jobsync;

namespace {

constexpr size_t tail_bytes = 512;
constexpr size_t image_bytes = 4096;
constexpr unix_ms now = 1'787'400'000'000;

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return true;
  return false;
}

void check_figures(const inline_progress& p) {
  if (p.progress)
    FUZZ_CHECK(*p.progress >= 0.0 && *p.progress <= 100.0);
  if (p.step)
    FUZZ_CHECK(*p.step >= 0);
  if (p.eta_seconds)
    FUZZ_CHECK(*p.eta_seconds >= 0.0);
}

// `utf8`: whether the report's text was UTF-8; other bytes are stored with
// U+FFFD in their place, once.
void check_stored(const job& x, const job_logs& logs, bool utf8) {
  FUZZ_CHECK(is_local_run(x));
  FUZZ_CHECK(logs.tail.size() <= tail_bytes);
  FUZZ_CHECK(logs.total_bytes >= logs.tail.size());
  if (x.error_message)
    FUZZ_CHECK(x.error_message->size() <= max_trainer_error_bytes);
  check_figures(logs.progress);
  auto job_text = storage::encode_job(x);
  auto job_back = storage::decode_job(job_text);
  FUZZ_CHECK(job_back && storage::encode_job(*job_back) == job_text);
  auto logs_text = storage::encode_logs(logs);
  auto logs_back = storage::decode_logs(logs_text);
  FUZZ_CHECK(logs_back && storage::encode_logs(*logs_back) == logs_text);
  if (utf8)
    FUZZ_CHECK(*job_back == x && *logs_back == logs);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::text_of(data, size);
  bool utf8 = valid_utf8(text);
  auto parsed = parse_trainer_event(text, trainer_event_limits{image_bytes});
  if (!parsed) {
    FUZZ_CHECK(parsed.error().code == errc::bad_request);
    return 0;
  }
  const auto& e = *parsed;
  if (e.job_id) {
    FUZZ_CHECK(!e.job_id->empty());
    FUZZ_CHECK(e.job_id->size() <= max_job_id_bytes);
    FUZZ_CHECK(!has_control(*e.job_id));
  }
  for (const auto* text : {&e.title, &e.message, &e.error_text})
    if (*text)
      FUZZ_CHECK((*text)->size() <= max_trainer_text_bytes);
  if (e.traceback)
    FUZZ_CHECK(e.traceback->size() <= max_trainer_traceback_bytes);
  if (e.progress.percent)
    FUZZ_CHECK(*e.progress.percent >= 0.0 && *e.progress.percent <= 100.0);
  if (e.image) {
    FUZZ_CHECK(e.image->bytes.size() <= image_bytes);
    FUZZ_CHECK(e.image->bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
    FUZZ_CHECK(e.image->etag.size() == 34);
  }
  // The report creates its job (as the registry does) and is applied.
  auto x = local_job_from_event(e, now);
  job_logs logs;
  auto first = apply_trainer_event(x, logs, e, tail_bytes, now);
  FUZZ_CHECK(lifecycle_rank(x.status) >= lifecycle_rank(job_status::running));
  FUZZ_CHECK(first.status_changed == is_terminal(x.status));
  FUZZ_CHECK(logs.updated_at == now);
  check_stored(x, logs, utf8);
  // The same report again changes no status and moves no figure back.
  auto before = x;
  auto progress_before = logs.progress.progress;
  auto again = apply_trainer_event(x, logs, e, tail_bytes, now + 1);
  FUZZ_CHECK(!again.status_changed);
  FUZZ_CHECK(x.status == before.status);
  if (progress_before)
    FUZZ_CHECK(logs.progress.progress
               && *logs.progress.progress >= *progress_before);
  if (is_terminal(before.status))
    FUZZ_CHECK(x == before);
  check_stored(x, logs, utf8);
  return 0;
}
