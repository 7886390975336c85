// The signature headers of a webhook delivery and the secret format:
// whatever the bytes, verification answers a verdict and never accepts a
// delivery the key did not sign.

#include "tests/fuzz/fuzz_target.hpp"

#include "model/standard_webhooks.hpp"

#include <string>

using namespace jobsync;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string key = "fuzzing-key-of-32-bytes-exactly!";
  constexpr int64_t now = 1'700'000'000;
  std::string_view parts[4];
  fuzz::split(fuzz::text_of(data, size), parts);
  webhook_headers h{parts[0], parts[1], parts[2]};
  auto verdict = verify_webhook(key, h, parts[3], now);
  FUZZ_CHECK(to_string(verdict) != nullptr);
  // Accepted means one of its v1 entries decodes to the real signature
  // (base64 text itself may differ: padding and unused low bits).
  if (verdict == webhook_verdict::ok) {
    auto real = webhook_hmac(key, parts[0], parts[1], parts[3]);
    bool found = false;
    std::string_view entries = parts[2];
    while (!entries.empty() && !found) {
      auto space = entries.find(' ');
      auto entry = entries.substr(0, space);
      entries = space == std::string_view::npos ? std::string_view{}
                                                : entries.substr(space + 1);
      if (entry.substr(0, 3) == "v1,")
        found = base64_decode(entry.substr(3)) == real;
    }
    FUZZ_CHECK(found);
  }
  // Whatever id and body arrived, signing them gives a delivery that
  // verifies (the headers were well-formed, so the id is usable).
  if (verdict != webhook_verdict::malformed_header
      && verdict != webhook_verdict::missing_header) {
    auto ts = std::stoll(std::string{parts[1]});
    auto ts_text = std::to_string(ts);
    auto signature = sign_webhook(key, parts[0], ts, parts[3]);
    webhook_headers signed_h{parts[0], ts_text, signature};
    FUZZ_CHECK(verify_webhook(key, signed_h, parts[3], ts)
               == webhook_verdict::ok);
  }
  if (auto secret = decode_webhook_secret(parts[0]))
    FUZZ_CHECK(decode_webhook_secret(encode_webhook_secret(*secret)) == secret);
  if (auto bytes = base64_decode(parts[3]))
    FUZZ_CHECK(base64_decode(base64_encode(*bytes)) == bytes);
  return 0;
}
