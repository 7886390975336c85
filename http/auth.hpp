#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::http {

/// Compares two secrets in time that does not depend on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

/// The credentials of an `Authorization` header using the Bearer scheme
/// (the scheme name in any case); nullopt for any other header.
std::optional<std::string> bearer_token(std::string_view authorization);

/// Whether an IP address (as the server reports a peer) is a loopback
/// address: 127.0.0.0/8, ::1, or 127.x mapped into IPv6.
bool is_loopback(std::string_view address);

/// Wraps a handler so that, when an API token is configured, it runs only
/// for requests bearing it (`Authorization: Bearer <token>`; with
/// `allow_query_token` also `?access_token=`, for EventSource). Others get
/// 401.
handler require_token(std::shared_ptr<const api> a, handler next,
                      bool allow_query_token = false);

} // namespace jobsync::http
