#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace jobsync::config {

/// Why a configuration was rejected: one line naming the source (file and
/// line, environment variable or flag) and the key.
struct config_error {
  std::string message;
};

/// A value or the configuration error that prevented it. The loader has its
/// own type so that main can report a bad configuration before any other
/// layer (CAF included) exists.
template <class T>
class expected {
public:
  /// A success.
  expected(T value) : state_(std::move(value)) {}

  /// A failure.
  expected(config_error e) : state_(std::move(e)) {}

  /// Whether this holds a value.
  explicit operator bool() const {
    return state_.index() == 0;
  }

  /// The value; only valid when `*this` is true.
  T& operator*() {
    return std::get<0>(state_);
  }

  /// The value; only valid when `*this` is true.
  const T& operator*() const {
    return std::get<0>(state_);
  }

  /// The value; only valid when `*this` is true.
  T* operator->() {
    return &std::get<0>(state_);
  }

  /// The value; only valid when `*this` is true.
  const T* operator->() const {
    return &std::get<0>(state_);
  }

  /// The message; only valid when `*this` is false.
  const std::string& error() const {
    return std::get<1>(state_).message;
  }

private:
  std::variant<T, config_error> state_;
};

/// Nothing on success, the error otherwise: what applying one layer of
/// configuration returns.
using status = std::optional<config_error>;

} // namespace jobsync::config
