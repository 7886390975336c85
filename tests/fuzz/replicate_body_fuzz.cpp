// Webhook bodies and provider answers: whatever the bytes, parsing never
// crashes, and a body it accepts becomes a job that the store's codec
// writes and reads back unchanged (its text made UTF-8, when it was not).

#include "tests/fuzz/fuzz_target.hpp"

#include "config/settings.hpp"
#include "model/merge.hpp"
#include "model/utf8.hpp"
#include "providers/replicate/prediction.hpp"
#include "storage/codec.hpp"

using namespace jobsync;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const providers::hardware_pricing pricing = [] {
    config::provider_settings p;
    return providers::hardware_pricing{p.default_hardware, p.hardware_prices,
                                       p.hardware_names, p.model_hardware};
  }();
  auto parsed = providers::replicate::parse_job_json(fuzz::text_of(data, size),
                                                     pricing, "replicate");
  FUZZ_CHECK(parsed || !parsed.error().detail.empty());
  if (!parsed)
    return 0;
  FUZZ_CHECK(!parsed->external_id.empty());
  auto x = job_from_snapshot(*parsed, 1'700'000'000'000);
  auto again = x;
  auto merged = apply_snapshot(again, *parsed);
  FUZZ_CHECK(!merged.status_changed);
  auto stored = storage::encode_job(x);
  auto back = storage::decode_job(stored);
  FUZZ_CHECK(back.has_value());
  // Text that is not UTF-8 is stored with U+FFFD in its place, once.
  FUZZ_CHECK(storage::encode_job(*back) == stored);
  if (valid_utf8(fuzz::text_of(data, size)))
    FUZZ_CHECK(*back == x);
  return 0;
}
