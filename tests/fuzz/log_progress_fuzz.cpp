// Log text, as providers and webhooks send it: the progress rules answer
// within their documented bounds, and the stored tail only ever grows.

#include "tests/fuzz/fuzz_target.hpp"

#include "model/job_logs.hpp"
#include "model/progress.hpp"

#include <cmath>

using namespace jobsync;

namespace {

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s)
    n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::text_of(data, size);
  auto p = compute_inline_progress(text);
  if (p.last_log) {
    FUZZ_CHECK(code_points(*p.last_log) <= 80);
    FUZZ_CHECK(!p.last_log->empty());
  }
  if (p.progress) {
    FUZZ_CHECK(*p.progress >= 0.0);
    // Counts, from a bar or from step/epoch words, never divide by zero.
    FUZZ_CHECK(std::isfinite(*p.progress));
  }
  FUZZ_CHECK(code_points(truncate_chars(text, 10)) <= 10);
  // A tail of at most 64 bytes, fed the text and then a shorter prefix of
  // it (a late delivery): the second changes nothing but the time.
  job_logs stored;
  merge_logs(stored, text, 64, 1);
  FUZZ_CHECK(stored.tail.size() <= 64);
  FUZZ_CHECK(text.substr(text.size() - stored.tail.size()) == stored.tail);
  auto before = stored.tail;
  merge_logs(stored, text.substr(0, text.size() / 2), 64, 2);
  FUZZ_CHECK(stored.tail == before);
  return 0;
}
