#include "model/standard_webhooks.hpp"

#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

namespace jobsync {

// Lets BOOST_TEST print verdicts in failure messages.
std::ostream& operator<<(std::ostream& out, webhook_verdict x) {
  return out << to_string(x);
}

} // namespace jobsync

using namespace jobsync;

namespace {

// The vector from replicate-python's tests/test_webhooks.py.
constexpr std::string_view secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t timestamp = 1614265330;
constexpr std::string_view body = R"({"test": 2432232314})";
constexpr std::string_view expected
    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string key() {
  return *decode_webhook_secret(secret);
}

webhook_headers headers_for(std::string_view signature,
                            std::string_view ts = "1614265330") {
  return {msg_id, ts, signature};
}

webhook_verdict check(std::string_view signature, std::string_view b = body,
                      int64_t now = timestamp) {
  return verify_webhook(key(), headers_for(signature), b, now);
}

} // namespace

BOOST_AUTO_TEST_SUITE(base64)

BOOST_AUTO_TEST_CASE(encoding_follows_rfc_4648_test_vectors) {
  BOOST_TEST(base64_encode("") == "");
  BOOST_TEST(base64_encode("f") == "Zg==");
  BOOST_TEST(base64_encode("fo") == "Zm8=");
  BOOST_TEST(base64_encode("foo") == "Zm9v");
  BOOST_TEST(base64_encode("foob") == "Zm9vYg==");
  BOOST_TEST(base64_encode("fooba") == "Zm9vYmE=");
  BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
}

BOOST_AUTO_TEST_CASE(decoding_inverts_encoding_for_all_byte_values) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  for (size_t n = 0; n <= all.size(); n += 37) {
    auto part = all.substr(0, n);
    auto decoded = base64_decode(base64_encode(part));
    BOOST_REQUIRE(decoded.has_value());
    BOOST_TEST(*decoded == part);
  }
}

BOOST_AUTO_TEST_CASE(decoding_accepts_missing_padding) {
  BOOST_TEST(*base64_decode("Zg") == "f");
  BOOST_TEST(*base64_decode("Zm8") == "fo");
}

BOOST_AUTO_TEST_CASE(decoding_rejects_invalid_text) {
  BOOST_TEST(!base64_decode("Z").has_value());
  BOOST_TEST(!base64_decode("Zm9v!").has_value());
  BOOST_TEST(!base64_decode("Zm 9v").has_value());
  BOOST_TEST(!base64_decode("Zm9v_-").has_value());
  BOOST_TEST(!base64_decode("Zg=").has_value());
  BOOST_TEST(!base64_decode("Z===").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(secrets)

BOOST_AUTO_TEST_CASE(a_whsec_secret_decodes_to_its_key_bytes) {
  auto k = decode_webhook_secret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
  BOOST_REQUIRE(k.has_value());
  BOOST_TEST(k->size() == 24u);
}

BOOST_AUTO_TEST_CASE(a_bare_base64_secret_is_accepted_too) {
  auto bare = decode_webhook_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  BOOST_REQUIRE(bare.has_value());
  BOOST_TEST(*bare == key());
}

BOOST_AUTO_TEST_CASE(invalid_or_empty_secrets_are_rejected) {
  BOOST_TEST(!decode_webhook_secret("").has_value());
  BOOST_TEST(!decode_webhook_secret("whsec_").has_value());
  BOOST_TEST(!decode_webhook_secret("whsec_not base64!").has_value());
}

BOOST_AUTO_TEST_CASE(encoding_a_key_round_trips) {
  BOOST_TEST(encode_webhook_secret(key()) == secret);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(signing)

BOOST_AUTO_TEST_CASE(the_replicate_test_vector_signs_as_documented) {
  BOOST_TEST(sign_webhook(key(), msg_id, timestamp, body) == expected);
}

// Each thread keeps one HMAC context and keys it again per message: a
// key must never carry over to the next message, an empty one included.
BOOST_AUTO_TEST_CASE(every_message_is_signed_with_its_own_key) {
  auto hex = [](const std::string& digest) {
    std::string out;
    for (unsigned char c : digest)
      out += "0123456789abcdef"[c >> 4], out += "0123456789abcdef"[c & 15];
    return out;
  };
  // HMAC-SHA256 with a zero-length key (Python's hmac module).
  const std::string empty_key_hex
      = "2f378dc591e8dcef1fc29149a4b87fd01f7dba020b345270fbff654e0c7400fb";
  auto signed_by_key = sign_webhook(key(), msg_id, timestamp, body);
  BOOST_TEST(hex(webhook_hmac(std::string_view{}, "msg_1", "1700000000", "{}"))
             == empty_key_hex);
  BOOST_TEST(hex(webhook_hmac("", "msg_1", "1700000000", "{}"))
             == empty_key_hex);
  BOOST_TEST(sign_webhook("another key", msg_id, timestamp, body)
             != signed_by_key);
  BOOST_TEST(sign_webhook(key(), msg_id, timestamp, body) == expected);
}

BOOST_AUTO_TEST_CASE(the_signature_depends_on_id_timestamp_and_body) {
  auto base = sign_webhook(key(), msg_id, timestamp, body);
  BOOST_TEST(sign_webhook(key(), "msg_other", timestamp, body) != base);
  BOOST_TEST(sign_webhook(key(), msg_id, timestamp + 1, body) != base);
  BOOST_TEST(sign_webhook(key(), msg_id, timestamp, "{}") != base);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(verification)

BOOST_AUTO_TEST_CASE(the_test_vector_verifies) {
  BOOST_TEST(check(expected) == webhook_verdict::ok);
}

BOOST_AUTO_TEST_CASE(a_tampered_body_does_not_match) {
  BOOST_TEST(check(expected, R"({"test": 2432232315})")
             == webhook_verdict::no_match);
  BOOST_TEST(check(expected, R"({"test":2432232314})")
             == webhook_verdict::no_match);
}

BOOST_AUTO_TEST_CASE(a_wrong_key_does_not_match) {
  auto other = *decode_webhook_secret("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
  BOOST_TEST(verify_webhook(other, headers_for(expected), body, timestamp)
             == webhook_verdict::no_match);
}

BOOST_AUTO_TEST_CASE(a_tampered_id_or_timestamp_does_not_match) {
  webhook_headers h{"msg_p5jXN8AQM9LWM0D4loKWxJeK", "1614265330", expected};
  BOOST_TEST(verify_webhook(key(), h, body, timestamp)
             == webhook_verdict::no_match);
  h = {msg_id, "1614265331", expected};
  BOOST_TEST(verify_webhook(key(), h, body, timestamp)
             == webhook_verdict::no_match);
}

BOOST_AUTO_TEST_CASE(any_matching_entry_of_several_is_accepted) {
  std::string wrong = "v1,Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm8=";
  BOOST_TEST(check(wrong + " " + std::string{expected}) == webhook_verdict::ok);
  BOOST_TEST(check(std::string{expected} + " " + wrong) == webhook_verdict::ok);
  BOOST_TEST(check(wrong + "  " + std::string{expected} + " ")
             == webhook_verdict::ok);
  BOOST_TEST(check(wrong) == webhook_verdict::no_match);
}

BOOST_AUTO_TEST_CASE(entries_with_unknown_versions_are_ignored) {
  auto sig = std::string{expected}.substr(3);
  BOOST_TEST(check("v2," + sig) == webhook_verdict::no_match);
  BOOST_TEST(check("v1a," + sig) == webhook_verdict::no_match);
  BOOST_TEST(check("v2,garbage!! " + std::string{expected})
             == webhook_verdict::ok);
}

BOOST_AUTO_TEST_CASE(an_undecodable_v1_entry_is_a_mismatch_not_an_error) {
  BOOST_TEST(check("v1,not*base64") == webhook_verdict::no_match);
  BOOST_TEST(check("v1,Zm9v") == webhook_verdict::no_match);
}

BOOST_AUTO_TEST_CASE(timestamps_within_the_tolerance_are_accepted) {
  BOOST_TEST(check(expected, body, timestamp + 300) == webhook_verdict::ok);
  BOOST_TEST(check(expected, body, timestamp - 300) == webhook_verdict::ok);
}

BOOST_AUTO_TEST_CASE(a_timestamp_too_far_in_the_past_is_rejected) {
  BOOST_TEST(check(expected, body, timestamp + 301)
             == webhook_verdict::timestamp_too_old);
  BOOST_TEST(check(expected, body, timestamp + 86400)
             == webhook_verdict::timestamp_too_old);
}

BOOST_AUTO_TEST_CASE(a_timestamp_too_far_in_the_future_is_rejected) {
  BOOST_TEST(check(expected, body, timestamp - 301)
             == webhook_verdict::timestamp_too_new);
}

BOOST_AUTO_TEST_CASE(the_tolerance_is_configurable) {
  BOOST_TEST(
      verify_webhook(key(), headers_for(expected), body, timestamp + 10, 5)
      == webhook_verdict::timestamp_too_old);
  BOOST_TEST(
      verify_webhook(key(), headers_for(expected), body, timestamp + 10, 10)
      == webhook_verdict::ok);
}

BOOST_AUTO_TEST_CASE(missing_or_empty_headers_are_reported_as_missing) {
  auto k = key();
  BOOST_TEST(
      verify_webhook(k, {std::nullopt, "1614265330", expected}, body, timestamp)
      == webhook_verdict::missing_header);
  BOOST_TEST(
      verify_webhook(k, {msg_id, std::nullopt, expected}, body, timestamp)
      == webhook_verdict::missing_header);
  BOOST_TEST(
      verify_webhook(k, {msg_id, "1614265330", std::nullopt}, body, timestamp)
      == webhook_verdict::missing_header);
  BOOST_TEST(verify_webhook(k, {"", "1614265330", expected}, body, timestamp)
             == webhook_verdict::missing_header);
  BOOST_TEST(verify_webhook(k, {msg_id, "1614265330", ""}, body, timestamp)
             == webhook_verdict::missing_header);
}

BOOST_AUTO_TEST_CASE(malformed_headers_are_reported_as_malformed) {
  auto k = key();
  BOOST_TEST(
      verify_webhook(k, {msg_id, "16142653x0", expected}, body, timestamp)
      == webhook_verdict::malformed_header);
  BOOST_TEST(
      verify_webhook(k, {msg_id, "-1614265330", expected}, body, timestamp)
      == webhook_verdict::malformed_header);
  BOOST_TEST(
      verify_webhook(k, {msg_id, "1614265330.5", expected}, body, timestamp)
      == webhook_verdict::malformed_header);
  BOOST_TEST(
      verify_webhook(k, {"msg.1", "1614265330", expected}, body, timestamp)
      == webhook_verdict::malformed_header);
  BOOST_TEST(check("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
             == webhook_verdict::malformed_header);
  BOOST_TEST(check("v1, ,x") == webhook_verdict::malformed_header);
}

BOOST_AUTO_TEST_CASE(a_signature_made_with_sign_webhook_verifies) {
  auto k = key();
  std::string b = R"({"id":"abc","status":"succeeded"})";
  auto sig = sign_webhook(k, "msg_1", 1700000000, b);
  BOOST_TEST(verify_webhook(k, {"msg_1", "1700000000", sig}, b, 1700000001)
             == webhook_verdict::ok);
}

BOOST_AUTO_TEST_CASE(every_verdict_has_a_name) {
  BOOST_TEST(std::string{to_string(webhook_verdict::ok)} == "ok");
  BOOST_TEST(std::string{to_string(webhook_verdict::timestamp_too_new)}
             == "timestamp_too_new");
}

BOOST_AUTO_TEST_SUITE_END()
