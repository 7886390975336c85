#pragma once

#include "actors/error.hpp"
#include "actors/messages.hpp"
#include "model/result.hpp"

#include <caf/send.hpp>
#include <caf/typed_response_promise.hpp>

#include <utility>
#include <variant>

namespace jobsync {

/// Who waits for an actor's answer: the promise of a CAF request, or a
/// callback that came with the message (answer_callback: the HTTP layer's
/// way to have the answer written to the socket by the answering actor,
/// with no request actor in between). Actors that serve both keep one of
/// these per request and answer through it.
template <class T>
class reply_to {
public:
  using value_type = T;

  reply_to(caf::typed_response_promise<T> promise) : to_(std::move(promise)) {}
  reply_to(answer_callback<T> callback) : to_(std::move(callback)) {}

  void deliver(T value) {
    if (auto* p = std::get_if<0>(&to_))
      p->deliver(std::move(value));
    else
      run(result<T>{std::move(value)});
  }

  void deliver(const failure& f) {
    if (auto* p = std::get_if<0>(&to_))
      p->deliver(to_error(f));
    else
      run(result<T>{f});
  }

  /// Hands the request on to `dest`, which then answers the same
  /// requester: a promise is delegated, a callback travels along as the
  /// message's last element.
  template <class Handle, class... Ts>
  void forward(const Handle& dest, Ts&&... xs) {
    if (auto* p = std::get_if<0>(&to_))
      p->delegate(dest, std::forward<Ts>(xs)...);
    else
      caf::anon_send(dest, std::forward<Ts>(xs)...,
                     std::move(std::get<1>(to_)));
  }

private:
  void run(result<T> r) {
    auto& callback = std::get<1>(to_);
    if (callback.deliver)
      std::exchange(callback.deliver, nullptr)(std::move(r));
  }

  std::variant<caf::typed_response_promise<T>, answer_callback<T>> to_;
};

} // namespace jobsync
