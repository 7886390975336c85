#pragma once

#include "providers/provider.hpp"

#include <boost/test/unit_test.hpp>

#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace jobsync::test {

/// A provider whose every answer the test gives: each call is recorded
/// ("list:<cursor>", "get:<id>", ...) and waits, with its completion, until
/// the test answers it. Everything runs on the test's thread, so with CAF's
/// deterministic scheduler nothing happens that the test did not say.
class fake_provider : public providers::provider {
public:
  /// Every call so far, oldest first.
  std::vector<std::string> calls;

  /// What rate_limits() tells the poller.
  providers::rate_limit_facts limits{3000, std::nullopt, std::nullopt};

  const std::string& name() const override {
    return name_;
  }

  const std::string& label() const override {
    return label_;
  }

  bool can_ask() const override {
    return true;
  }

  providers::rate_limit_facts rate_limits() const override {
    return limits;
  }

  result<provider_snapshot> parse_webhook(std::string_view) const override {
    return failure{errc::bad_request, "the fake reads no webhooks"};
  }

  void list_page(
      const std::string& cursor,
      providers::provider_callback<providers::provider_page> done) override {
    calls.push_back("list:" + cursor);
    pages_.push_back(std::move(done));
  }

  void get(const std::string& id,
           providers::provider_callback<provider_snapshot> done) override {
    calls.push_back("get:" + id);
    gets_.push_back(std::move(done));
  }

  void cancel(const std::string& id,
              providers::provider_callback<provider_snapshot> done) override {
    calls.push_back("cancel:" + id);
    gets_.push_back(std::move(done));
  }

  void
  logs(const std::string& id,
       providers::provider_callback<providers::provider_log> done) override {
    calls.push_back("logs:" + id);
    logs_.push_back(std::move(done));
  }

  void validate(providers::provider_callback<std::string> done) override {
    calls.push_back("validate");
    texts_.push_back(std::move(done));
  }

  void webhook_secret(providers::provider_callback<std::string> done) override {
    calls.push_back("secret");
    texts_.push_back(std::move(done));
  }

  /// Calls not answered yet.
  size_t pending() const {
    return pages_.size() + gets_.size() + logs_.size() + texts_.size();
  }

  /// Answers the oldest list call.
  void answer_page(result<providers::provider_page> r) {
    answer(pages_, std::move(r));
  }

  /// Answers the oldest get or cancel call.
  void answer_get(result<provider_snapshot> r) {
    answer(gets_, std::move(r));
  }

  /// Answers the oldest logs call.
  void answer_logs(result<providers::provider_log> r) {
    answer(logs_, std::move(r));
  }

  /// Answers the oldest validate or secret call.
  void answer_text(result<std::string> r) {
    answer(texts_, std::move(r));
  }

private:
  template <class T>
  static void answer(std::deque<providers::provider_callback<T>>& queue,
                     result<T> r) {
    BOOST_REQUIRE_MESSAGE(!queue.empty(), "no such call is waiting");
    auto done = std::move(queue.front());
    queue.pop_front();
    done(std::move(r));
  }

  std::string name_ = "fake";
  std::string label_ = "Fake";
  std::deque<providers::provider_callback<providers::provider_page>> pages_;
  std::deque<providers::provider_callback<provider_snapshot>> gets_;
  std::deque<providers::provider_callback<providers::provider_log>> logs_;
  std::deque<providers::provider_callback<std::string>> texts_;
};

} // namespace jobsync::test
