#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>
#include <vector>

namespace jobsync::http {

/// The whole API, one route per line (routes.cpp).
std::vector<route> make_routes(std::shared_ptr<const api> a);

} // namespace jobsync::http
