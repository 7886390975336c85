#include "http/auth.hpp"

#include "http/error_table.hpp"
#include "http/query.hpp"

#include <algorithm>
#include <cctype>

namespace jobsync::http {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Compare over the longer length so the time does not reveal a prefix.
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

bool is_loopback(std::string_view address) {
  constexpr std::string_view mapped = "::ffff:";
  if (address.substr(0, mapped.size()) == mapped)
    address.remove_prefix(mapped.size());
  return address == "::1" || address.substr(0, 4) == "127.";
}

std::optional<std::string> bearer_token(std::string_view authorization) {
  // RFC 9110: the scheme name is case-insensitive and one or more spaces
  // separate it from the credentials.
  constexpr std::string_view scheme = "bearer";
  if (authorization.size() <= scheme.size()
      || authorization[scheme.size()] != ' ')
    return std::nullopt;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return std::nullopt;
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ')
    token.remove_prefix(1);
  // Whitespace around a field's value is not part of it (RFC 9110, 5.5),
  // and the parser leaves what trails.
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
    token.remove_suffix(1);
  if (token.empty())
    return std::nullopt;
  return std::string{token};
}

handler require_token(std::shared_ptr<const api> a, handler next,
                      bool allow_query_token) {
  return [a = std::move(a), next = std::move(next),
          allow_query_token](const exchange_ptr& ex) {
    auto config = a->config();
    const auto& token = config->api_token;
    if (token.empty())
      return next(ex);
    std::optional<std::string> offered;
    if (auto h = ex->header("authorization"))
      offered = bearer_token(*h);
    if (!offered && allow_query_token) {
      auto q = query_params::parse(ex->query);
      if (!q)
        return ex->respond(error_response(q.error()));
      if (auto t = q->get("access_token"))
        offered = std::string{*t};
    }
    if (!offered)
      return ex->respond(error_response(
          errc::unauthorized,
          "This server requires an API token: send 'Authorization: Bearer "
          "<token>'"));
    if (!constant_time_equal(*offered, token))
      return ex->respond(
          error_response(errc::unauthorized, "The API token is not valid"));
    next(ex);
  };
}

} // namespace jobsync::http
