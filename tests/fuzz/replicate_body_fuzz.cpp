// Webhook bodies and provider answers: whatever the bytes, parsing never
// crashes, and a body it accepts becomes a job that the store's codec
// writes and reads back unchanged.

#include "tests/fuzz/fuzz_target.hpp"

#include "model/merge.hpp"
#include "model/replicate_prediction.hpp"
#include "storage/codec.hpp"

using namespace jobsync;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const replicate_pricing pricing;
  auto parsed = parse_replicate_job_json(fuzz::text_of(data, size), pricing,
                                         "replicate");
  FUZZ_CHECK(parsed.snapshot.has_value() == parsed.error.empty());
  if (!parsed)
    return 0;
  FUZZ_CHECK(!parsed.snapshot->external_id.empty());
  auto x = job_from_snapshot(*parsed.snapshot, 1'700'000'000'000);
  auto again = x;
  auto merged = apply_snapshot(again, *parsed.snapshot);
  FUZZ_CHECK(!merged.status_changed);
  auto back = storage::decode_job(storage::encode_job(x));
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(*back == x);
  return 0;
}
