// Bytes read back from LMDB (a damaged or foreign store): every decoder
// refuses what it cannot read instead of crashing, what it accepts encodes
// back to something that decodes the same (its text made UTF-8 once), and a
// confirmation stamps synced_at without touching anything else.

#include "tests/fuzz/fuzz_target.hpp"

#include "model/utf8.hpp"
#include "storage/codec.hpp"

using namespace jobsync;
using namespace jobsync::storage;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = fuzz::text_of(data, size);
  if (auto x = decode_job(bytes)) {
    // Text that is not UTF-8 is written with U+FFFD in its place, once.
    auto once = encode_job(*x);
    auto again = decode_job(once);
    FUZZ_CHECK(again.has_value() && encode_job(*again) == once);
    if (valid_utf8(bytes))
      FUZZ_CHECK(*again == *x);
    FUZZ_CHECK(decode_rendered_job(x->job_id, encode_job(*x)).has_value());
  }
  if (auto r = decode_rendered_job("id", bytes)) {
    FUZZ_CHECK(r->job_id == "id");
    // The header alone tells the same freshness as the rendering.
    auto f = decode_job_freshness(bytes);
    FUZZ_CHECK(f.has_value() && f->status == r->status
               && f->synced_at == r->synced_at
               && f->reached_provider == r->reached_provider);
  }
  if (auto stamped = confirm_job(bytes, 1'793'000'000'123)) {
    // A confirmation changes synced_at and nothing else.
    auto before = decode_rendered_job("id", bytes);
    auto after = decode_rendered_job("id", *stamped);
    FUZZ_CHECK(before.has_value() && after.has_value());
    FUZZ_CHECK(
        after->members == before->members && after->status == before->status
        && after->reached_provider == before->reached_provider
        && after->synced_at == std::optional<unix_ms>{1'793'000'000'123});
    FUZZ_CHECK(stamped->size() == bytes.size());
  }
  if (auto logs = decode_logs(bytes)) {
    auto once = encode_logs(*logs);
    auto again = decode_logs(once);
    FUZZ_CHECK(again.has_value() && encode_logs(*again) == once);
    if (valid_utf8(bytes))
      FUZZ_CHECK(again->tail == logs->tail);
  }
  auto cut = bytes.find('\0');
  auto key = bytes.substr(0, cut);
  auto value = cut == std::string_view::npos ? std::string_view{}
                                             : bytes.substr(cut + 1);
  if (auto e = decode_index_entry(key, value))
    FUZZ_CHECK(static_cast<int>(e->status) <= 6);
  if (auto a = decode_counter_key(bytes))
    FUZZ_CHECK(decode_counter_key(counter_key(a->type, a->status, a->provider))
                   .has_value());
  return 0;
}
