#pragma once

#include "http/api.hpp"
#include "http/exchange.hpp"

#include <memory>

namespace jobsync::http {

/// `GET /healthz`: the process answers.
handler healthz();

/// `GET /readyz`: 200 once the store is writable and every poller's first
/// cycle has ended; 503 otherwise.
handler readyz(std::shared_ptr<const api> a);

} // namespace jobsync::http
