#pragma once

#include <caf/error.hpp>
#include <caf/typed_response_promise.hpp>

#include <map>
#include <string>
#include <vector>

namespace jobsync {

/// Callers waiting for fetches that are shared: the first caller of a key
/// starts the fetch, later ones wait for the same answer.
template <class T>
class shared_fetches {
public:
  using promise_type = caf::typed_response_promise<T>;

  /// Adds a caller; true when it is the first of `key`, so the caller must
  /// start the fetch.
  bool join(const std::string& key, promise_type promise) {
    auto& waiting = waiting_[key];
    waiting.push_back(std::move(promise));
    return waiting.size() == 1;
  }

  /// Answers every caller of `key` with the value and forgets them.
  void deliver(const std::string& key, const T& value) {
    for (auto& p : take(key))
      p.deliver(value);
  }

  /// Answers every caller of `key` with the error and forgets them.
  void fail(const std::string& key, const caf::error& e) {
    for (auto& p : take(key))
      p.deliver(e);
  }

private:
  std::vector<promise_type> take(const std::string& key) {
    auto i = waiting_.find(key);
    if (i == waiting_.end())
      return {};
    auto out = std::move(i->second);
    waiting_.erase(i);
    return out;
  }

  std::map<std::string, std::vector<promise_type>> waiting_;
};

} // namespace jobsync
