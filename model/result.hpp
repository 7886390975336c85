#pragma once

#include "model/errc.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace jobsync {

/// Why something failed: an API error code, a sentence a person can act
/// on, and when to try again if the refusal says (a 429's Retry-After).
struct failure {
  failure() = default;

  failure(errc code, std::string detail,
          std::optional<std::chrono::seconds> retry_after = std::nullopt)
      : code(code), detail(std::move(detail)), retry_after(retry_after) {}

  errc code = errc::internal;
  std::string detail;
  /// How long the caller should wait before asking again; set only when
  /// whoever refused said so (a provider's or our own rate limit).
  std::optional<std::chrono::seconds> retry_after;
};

/// A value or the failure that prevented it: the one result type of every
/// layer (config, providers, actors and http use it instead of exceptions;
/// actors turn the failure into a caf::error and back without losing the
/// retry-after).
template <class T>
class result {
public:
  result(T value) : state_(std::move(value)) {}

  result(failure f) : state_(std::move(f)) {}

  explicit operator bool() const {
    return state_.index() == 0;
  }

  T& operator*() {
    return std::get<0>(state_);
  }

  const T& operator*() const {
    return std::get<0>(state_);
  }

  T* operator->() {
    return &std::get<0>(state_);
  }

  const T* operator->() const {
    return &std::get<0>(state_);
  }

  const failure& error() const {
    return std::get<1>(state_);
  }

private:
  std::variant<T, failure> state_;
};

/// The result of an operation that yields no value.
template <>
class result<void> {
public:
  result() = default;

  result(failure f) : failure_(std::move(f)), failed_(true) {}

  explicit operator bool() const {
    return !failed_;
  }

  const failure& error() const {
    return failure_;
  }

private:
  failure failure_;
  bool failed_ = false;
};

} // namespace jobsync
