#pragma once

#include "actors/error.hpp"
#include "actors/messages.hpp"
#include "http/api.hpp"
#include "http/deadlines.hpp"
#include "http/error_table.hpp"
#include "http/exchange.hpp"

#include <caf/detail/type_traits.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace jobsync::http {

namespace detail {

// Wraps a reply handler so that the request's deadline is released before
// it runs, keeping the handler's exact signature (CAF matches the reply
// type against it).
template <class OnValue, class... Args>
auto releasing(std::shared_ptr<deadline_keeper> keeper, uint64_t ticket,
               OnValue on_value, caf::detail::type_list<Args...>) {
  return [keeper = std::move(keeper), ticket,
          on_value = std::move(on_value)](Args... xs) mutable {
    keeper->release(ticket);
    on_value(std::forward<Args>(xs)...);
  };
}

} // namespace detail

/// Makes one actor request on behalf of an HTTP request without blocking the
/// I/O thread: a short-lived actor sends the request and dies with the
/// answer. `on_value` receives the reply (its signature names the reply
/// type, e.g. `[ex](job_page& p) {...}`); errors are answered through the
/// error table. An actor that has not answered within the API's
/// actor_timeout gets its request answered 504 by the deadline keeper
/// (not by a CAF request timeout: see deadlines.hpp); its late reply is
/// ignored.
template <class Handle, class OnValue, class... Ts>
void ask(const api& a, exchange_ptr ex, const Handle& dest, OnValue on_value,
         Ts... xs) {
  auto keeper = a.deadlines();
  auto ticket = keeper->watch(ex);
  using args = typename caf::detail::get_callable_trait<OnValue>::arg_types;
  a.system().spawn([ex = std::move(ex), dest, keeper, ticket,
                    on_value = detail::releasing(keeper, ticket,
                                                 std::move(on_value), args{}),
                    xs...](caf::event_based_actor* self) {
    self->request(dest, caf::infinite, xs...)
        .then(on_value, [ex, keeper, ticket](caf::error& e) {
          keeper->release(ticket);
          ex->respond(error_response(from_error(e)));
        });
  });
}

/// Like `ask`, for an actor that answers through a callback it runs itself
/// (`answer_callback`, the readers' HTTP reads): the request goes from the
/// I/O thread to that actor and the answer straight back to the socket,
/// two thread hand-offs instead of four (a request actor's start, the
/// actor, the reply, the socket). `on_value` then runs on the answering
/// actor's thread; it must only render and respond.
template <class Handle, class OnValue, class... Ts>
void ask_direct(const api& a, exchange_ptr ex, const Handle& dest,
                OnValue on_value, Ts... xs) {
  using args = typename caf::detail::get_callable_trait<OnValue>::arg_types;
  using value = std::decay_t<caf::detail::tl_head_t<args>>;
  auto keeper = a.deadlines();
  auto ticket = keeper->watch(ex);
  answer_callback<value> answer{
      [ex = std::move(ex), keeper = std::move(keeper), ticket,
       on_value = std::move(on_value)](result<value> r) mutable {
        keeper->release(ticket);
        if (!r)
          return ex->respond(error_response(r.error()));
        on_value(*r);
      }};
  caf::anon_send(dest, std::move(xs)..., std::move(answer));
}

} // namespace jobsync::http
