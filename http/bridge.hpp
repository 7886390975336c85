#pragma once

#include "actors/error.hpp"
#include "http/api.hpp"
#include "http/error_table.hpp"
#include "http/exchange.hpp"

#include <caf/event_based_actor.hpp>

namespace jobsync::http {

/// Makes one actor request on behalf of an HTTP request without blocking the
/// I/O thread: a short-lived actor sends the request and dies with the
/// answer. `on_value` receives the reply (its signature names the reply
/// type, e.g. `[ex](job_page& p) {...}`); errors are answered through the
/// error table, a timeout as 504.
template <class Handle, class OnValue, class... Ts>
void ask(const api& a, exchange_ptr ex, const Handle& dest, OnValue on_value,
         Ts... xs) {
  a.system().spawn([ex = std::move(ex), dest, on_value = std::move(on_value),
                    timeout = a.config()->actor_timeout,
                    xs...](caf::event_based_actor* self) {
    self->request(dest, timeout, xs...).then(on_value, [ex](caf::error& e) {
      ex->respond(error_response(from_error(e)));
    });
  });
}

} // namespace jobsync::http
