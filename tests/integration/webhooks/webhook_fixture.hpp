#pragma once

// Helpers of the webhook receiver's integration tests: signed deliveries
// to a real jobsyncd, and reading back what it stored.

#include "model/standard_webhooks.hpp"
#include "model/timestamp.hpp"
#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jobsync::test {

/// The secret of config/test.yaml (also given explicitly, so that an
/// exported REPLICATE_WEBHOOK_SECRET cannot change the tests).
inline const std::string test_secret = "whsec_dGVzdC1zZWNyZXQ=";

/// Another valid secret: signatures made with it must not match.
inline const std::string other_secret = "whsec_b3RoZXItc2VjcmV0";

/// The receiver's route.
inline const std::string webhook_path = "/api/webhooks/replicate";

/// Flags of a jobsyncd that only webhooks feed: no polling, the secret of
/// the tests, and room for failed checks (tests of the limit lower it).
inline std::vector<std::string>
webhook_server_flags(std::vector<std::string> more = {}) {
  std::vector<std::string> flags{
      "--set", "background.job_status_polling.enabled=false",
      "--set", "providers.replicate.webhook_secret=" + test_secret,
      "--set", "webhooks.failed_signatures_per_minute=100000"};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

/// The current Unix time in seconds.
inline int64_t unix_now() {
  return now_ms() / 1000;
}

/// A Replicate prediction object; `extra` is spliced in as more members
/// (`"logs":"..."`, `"output":...`; none of them is in the base object).
inline std::string prediction(const std::string& id, const std::string& status,
                              const std::string& extra = {}) {
  return R"({"id":")" + id
         + R"(","model":"simpletuner/advanced-trainer-h100","version":"5f0d",)"
           R"("input":{},"status":")"
         + status + R"(","created_at":"2026-11-01T10:00:00.123456Z",)"
         + R"("urls":{"get":"https://api.replicate.com/v1/predictions/)" + id
         + R"(","cancel":"https://api.replicate.com/v1/predictions/)" + id
         + R"(/cancel"})" + (extra.empty() ? "" : "," + extra) + "}";
}

/// The three Standard Webhooks headers of one delivery.
inline std::map<std::string, std::string>
signed_headers(const std::string& msg_id, const std::string& body,
               const std::string& secret = test_secret,
               int64_t timestamp = unix_now()) {
  auto key = decode_webhook_secret(secret);
  BOOST_REQUIRE(key.has_value());
  return {{"Content-Type", "application/json"},
          {"webhook-id", msg_id},
          {"webhook-timestamp", std::to_string(timestamp)},
          {"webhook-signature", sign_webhook(*key, msg_id, timestamp, body)}};
}

/// POSTs a body with exactly these headers to the receiver.
inline http_response
post_webhook(const jobsyncd& server, const std::string& body,
             const std::map<std::string, std::string>& headers) {
  return http_request("POST", server.url(webhook_path), body, headers);
}

/// POSTs a correctly signed delivery.
inline http_response deliver(const jobsyncd& server, const std::string& msg_id,
                             const std::string& body) {
  return post_webhook(server, body, signed_headers(msg_id, body));
}

/// Checks a 200 answer and returns its `status` ("received", "duplicate").
inline std::string accepted_as(const http_response& r) {
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body << r.error);
  auto d = json_of(r);
  BOOST_REQUIRE(d.IsObject() && d.HasMember("status"));
  return d["status"].GetString();
}

/// The stored job as the API shows it; nullopt on 404.
inline std::optional<rapidjson::Document> stored_job(const jobsyncd& server,
                                                     const std::string& id) {
  auto r = http_get(server.url("/api/cloud/jobs/" + url_encode(id)));
  if (r.status == 404)
    return std::nullopt;
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.status << " " << r.body);
  auto d = json_of(r);
  rapidjson::Document job;
  job.CopyFrom(d["job"], job.GetAllocator());
  return job;
}

/// The stored job's status; "" when the job is unknown.
inline std::string stored_status(const jobsyncd& server,
                                 const std::string& id) {
  auto job = stored_job(server, id);
  return job ? (*job)["status"].GetString() : "";
}

/// The number of stored jobs.
inline uint64_t stored_total(const jobsyncd& server) {
  auto r = http_get(server.url("/api/cloud/jobs"));
  BOOST_REQUIRE(r.status == 200);
  return json_of(r)["total"].GetUint64();
}

} // namespace jobsync::test
