#include "http/auth.hpp"

#include "http/error_table.hpp"
#include "http/query.hpp"

#include <algorithm>

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

handler require_token(std::shared_ptr<const api> a, handler next,
                      bool allow_query_token) {
  return [a = std::move(a), next = std::move(next),
          allow_query_token](const exchange_ptr& ex) {
    const auto& token = a->config().api_token;
    if (token.empty())
      return next(ex);
    std::optional<std::string> offered;
    if (auto h = ex->header("authorization")) {
      constexpr std::string_view scheme = "Bearer ";
      if (h->size() > scheme.size()
          && h->compare(0, scheme.size(), scheme) == 0)
        offered = h->substr(scheme.size());
    }
    if (!offered && allow_query_token)
      if (auto q = query_params::parse(ex->query))
        if (auto t = q->get("access_token"))
          offered = std::string{*t};
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
