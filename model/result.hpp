#pragma once

#include "model/errc.hpp"

#include <string>
#include <utility>
#include <variant>

namespace jobsync {

/// Why something failed: an API error code and a sentence a person can act
/// on.
struct failure {
  errc code = errc::internal;
  std::string detail;
};

/// A value or the failure that prevented it. Layers below the actors use it
/// instead of exceptions; actors turn it into caf::error.
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
