// The text of requests and provider headers: query strings, path escapes,
// Last-Event-ID, timestamps, Retry-After. Whatever the bytes, each parser
// answers, and what it accepts round-trips.

#include "tests/fuzz/fuzz_target.hpp"

#include "http/query.hpp"
#include "model/event_frame.hpp"
#include "model/percent_encoding.hpp"
#include "model/timestamp.hpp"
#include "providers/retry_after.hpp"

#include <string>

using namespace jobsync;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz::text_of(data, size);
  if (auto q = http::query_params::parse(text)) {
    if (auto v = q->get("limit"))
      if (auto n = http::parse_integer(*v, 1, 500))
        FUZZ_CHECK(*n >= 1 && *n <= 500);
    if (auto v = q->get("sync_active"))
      http::parse_flag(*v);
  }
  if (auto decoded = percent_decode(text, false))
    FUZZ_CHECK(decoded->size() <= text.size());
  if (auto id = parse_event_id(text))
    FUZZ_CHECK(parse_event_id(std::to_string(*id)) == id);
  if (auto t = parse_rfc3339(text)) {
    auto formatted = format_rfc3339(*t);
    FUZZ_CHECK(parse_rfc3339(formatted) == t);
  }
  if (auto t = providers::parse_http_date(text))
    FUZZ_CHECK(providers::parse_retry_after(text, *t)
               == std::chrono::seconds{0});
  if (auto d = providers::parse_retry_after(text, 1'700'000'000'000))
    FUZZ_CHECK(d->count() >= 0);
  if (auto n = providers::parse_header_count(text))
    FUZZ_CHECK(*n >= 0);
  return 0;
}
