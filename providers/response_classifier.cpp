#include "providers/response_classifier.hpp"

#include "model/json.hpp"
#include "providers/retry_after.hpp"

#include <rapidjson/document.h>

#include <cmath>

namespace jobsync::providers {

namespace {

// Enough of an HTML error page to recognise it, not enough to flood logs.
constexpr size_t max_excerpt = 200;

std::string excerpt(std::string_view body) {
  auto b = body.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos)
    return {};
  body = body.substr(b);
  if (body.size() <= max_excerpt)
    return std::string{body.substr(0, body.find_last_not_of(" \t\r\n") + 1)};
  auto cut = max_excerpt;
  // Never split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string{body.substr(0, cut)} + "...";
}

std::optional<std::chrono::seconds> body_retry_after(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError())
    return std::nullopt;
  auto seconds = number_member(doc, "retry_after");
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0 || *seconds > 1e9)
    return std::nullopt;
  return std::chrono::seconds{static_cast<int64_t>(std::ceil(*seconds))};
}

// The sentence, with the wait the provider asked for when it said one.
std::string with_wait(std::string sentence,
                      std::optional<std::chrono::seconds> wait) {
  if (wait)
    sentence += "; retry in " + std::to_string(wait->count()) + " s";
  return sentence;
}

std::string with_detail(std::string sentence, std::string_view body) {
  auto detail = problem_detail(body);
  if (!detail.empty())
    sentence.append(": ").append(detail);
  return sentence;
}

} // namespace

void read_rate_limit(const std::map<std::string, std::string>& headers,
                     rate_limit_facts& facts) {
  if (auto i = headers.find("ratelimit-remaining"); i != headers.end())
    facts.remaining = parse_header_count(i->second);
  if (auto i = headers.find("ratelimit-reset"); i != headers.end())
    facts.reset_seconds = parse_header_count(i->second);
}

std::string problem_detail(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError())
    return excerpt(body);
  if (!doc.IsObject())
    return {};
  if (auto detail = string_member(doc, "detail"); detail && !detail->empty())
    return *detail;
  if (auto i = doc.FindMember("detail");
      i != doc.MemberEnd() && !i->value.IsNull() && !i->value.IsString())
    return to_json_text(i->value);
  if (auto title = string_member(doc, "title"); title && !title->empty())
    return *title;
  return {};
}

std::optional<failure> classify_response(const http_response& r,
                                         std::string_view provider,
                                         unix_ms now) {
  std::string name{provider};
  failure e;
  switch (r.error) {
  case http_error_kind::timeout:
    e.code = errc::timeout;
    e.detail
        = name + " did not answer before the deadline (" + r.error_text + ")";
    return e;
  case http_error_kind::connect_failed:
    e.code = errc::unavailable;
    e.detail = "could not connect to " + name + " (" + r.error_text + ")";
    return e;
  case http_error_kind::other:
    e.code = errc::unavailable;
    e.detail = "the exchange with " + name + " failed (" + r.error_text + ")";
    return e;
  case http_error_kind::none:
    break;
  }
  auto status = r.status;
  auto code = " (HTTP " + std::to_string(status) + ")";
  if (status >= 200 && status < 300)
    return std::nullopt;
  if (status == 401) {
    e.code = errc::unauthorized;
    e.detail = with_detail(name + " refused the API token" + code, r.body);
  } else if (status == 404) {
    e.code = errc::not_found;
    e.detail = with_detail(name + " does not know this job or resource" + code,
                           r.body);
  } else if (status == 429) {
    e.code = errc::rate_limited;
    if (auto i = r.headers.find("retry-after"); i != r.headers.end())
      e.retry_after = parse_retry_after(i->second, now);
    if (!e.retry_after)
      e.retry_after = body_retry_after(r.body);
    e.detail
        = with_detail(with_wait(name + " is rate limiting our requests" + code,
                                e.retry_after),
                      r.body);
  } else if (status >= 400 && status < 500) {
    e.code = errc::bad_request;
    e.detail = with_detail(name + " refused the request" + code, r.body);
  } else if (status >= 500 && status < 600) {
    e.code = errc::provider_error;
    // A 503's Retry-After says how long the provider expects to be down
    // (RFC 9110, 10.2.3): asking before then only adds to its load.
    if (auto i = r.headers.find("retry-after");
        status == 503 && i != r.headers.end())
      e.retry_after = parse_retry_after(i->second, now);
    e.detail = with_detail(
        with_wait(name + " failed to handle the request" + code, e.retry_after),
        r.body);
  } else {
    e.code = errc::provider_error;
    e.detail = with_detail(name + " answered with an unexpected status" + code,
                           r.body);
  }
  return e;
}

failure malformed_response(std::string_view provider, std::string_view what,
                           std::string_view reason) {
  return {errc::provider_error,
          std::string{provider} + " sent an unexpected answer to "
              + std::string{what} + ": " + std::string{reason}};
}

} // namespace jobsync::providers
