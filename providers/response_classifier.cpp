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

std::string with_detail(std::string sentence, std::string_view body) {
  auto detail = problem_detail(body);
  if (!detail.empty())
    sentence.append(": ").append(detail);
  return sentence;
}

} // namespace

rate_limit_info
read_rate_limit(const std::map<std::string, std::string>& headers) {
  rate_limit_info result;
  if (auto i = headers.find("ratelimit-remaining"); i != headers.end())
    result.remaining = parse_header_count(i->second);
  if (auto i = headers.find("ratelimit-reset"); i != headers.end())
    result.reset_seconds = parse_header_count(i->second);
  return result;
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

std::optional<provider_error> classify_response(const http_response& r,
                                                std::string_view provider,
                                                unix_ms now) {
  using kind = provider_error_kind;
  std::string name{provider};
  provider_error e;
  e.http_status = r.status;
  switch (r.error) {
  case http_error_kind::timeout:
    e.kind = kind::timeout;
    e.message
        = name + " did not answer before the deadline (" + r.error_text + ")";
    return e;
  case http_error_kind::connect_failed:
    e.kind = kind::network;
    e.message = "could not connect to " + name + " (" + r.error_text + ")";
    return e;
  case http_error_kind::other:
    e.kind = kind::network;
    e.message = "the exchange with " + name + " failed (" + r.error_text + ")";
    return e;
  case http_error_kind::none:
    break;
  }
  auto status = r.status;
  auto code = " (HTTP " + std::to_string(status) + ")";
  if (status >= 200 && status < 300)
    return std::nullopt;
  if (status == 401) {
    e.kind = kind::unauthorized;
    e.message = with_detail(name + " refused the API token" + code, r.body);
  } else if (status == 404) {
    e.kind = kind::not_found;
    e.message = with_detail(name + " does not know this job or resource" + code,
                            r.body);
  } else if (status == 429) {
    e.kind = kind::rate_limited;
    if (auto i = r.headers.find("retry-after"); i != r.headers.end())
      e.retry_after = parse_retry_after(i->second, now);
    if (!e.retry_after)
      e.retry_after = body_retry_after(r.body);
    auto sentence = name + " is rate limiting our requests" + code;
    if (e.retry_after)
      sentence += "; retry in " + std::to_string(e.retry_after->count()) + " s";
    e.message = with_detail(std::move(sentence), r.body);
  } else if (status >= 400 && status < 500) {
    e.kind = kind::invalid;
    e.message = with_detail(name + " refused the request" + code, r.body);
  } else if (status >= 500 && status < 600) {
    e.kind = kind::provider_failure;
    e.message
        = with_detail(name + " failed to handle the request" + code, r.body);
  } else {
    e.kind = kind::provider_failure;
    e.message = with_detail(name + " answered with an unexpected status" + code,
                            r.body);
  }
  return e;
}

provider_error malformed_response(std::string_view provider,
                                  std::string_view what,
                                  std::string_view reason, long http_status) {
  provider_error e;
  e.kind = provider_error_kind::malformed;
  e.http_status = http_status;
  e.message = std::string{provider} + " sent an unexpected answer to "
              + std::string{what} + ": " + std::string{reason};
  return e;
}

} // namespace jobsync::providers
