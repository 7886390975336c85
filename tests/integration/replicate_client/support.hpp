#pragma once

// Shared helpers of the replicate_client integration tests: awaiting a
// callback, and a replicate-sim started per test case.

#include "providers/replicate/client.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/http.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// Generous: the machine may be loaded; nothing here should take long.
inline constexpr std::chrono::seconds answer_timeout{60};

/// Starts an operation with a callback and waits for its one answer.
template <class T, class Start>
result<T> await(Start start) {
  auto promise = std::make_shared<std::promise<result<T>>>();
  auto future = promise->get_future();
  start([promise](result<T> r) { promise->set_value(std::move(r)); });
  if (future.wait_for(answer_timeout) != std::future_status::ready)
    BOOST_FAIL("no answer within the timeout");
  return future.get();
}

/// Awaits a value; fails the test case with the error's message otherwise.
template <class T, class Start>
T await_value(Start start) {
  auto r = await<T>(std::move(start));
  // The message is built even when the check passes.
  BOOST_REQUIRE_MESSAGE(static_cast<bool>(r),
                        "error: " << (r ? "" : r.error().detail));
  return std::move(*r);
}

/// Awaits an error; fails the test case when a value came back.
template <class T, class Start>
failure await_error(Start start) {
  auto r = await<T>(std::move(start));
  BOOST_REQUIRE_MESSAGE(!r, "expected an error, got a value");
  return r.error();
}

/// A parsed JSON answer of the emulator's admin API.
struct admin_answer {
  long status = 0;
  std::string body;
  rapidjson::Document json;
};

/// A fresh replicate-sim on an ephemeral port, one per test case.
class sim_fixture {
public:
  sim_fixture();

  /// `http://127.0.0.1:<port>`.
  std::string root;
  /// The emulated API base (`<root>/v1`).
  std::string base;

  /// POSTs JSON to `/_admin/<path>`; requires a 2xx answer.
  admin_answer admin_post(const std::string& path, const std::string& json);

  /// GETs `/_admin/<path>`; requires a 2xx answer.
  admin_answer admin_get(const std::string& path);

  /// DELETEs `/_admin/<path>`; requires a 2xx answer.
  admin_answer admin_delete(const std::string& path);

  /// Creates jobs through `POST /_admin/jobs` and returns their ids.
  std::vector<std::string> create_jobs(const std::string& json);

  /// Installs a fault (`POST /_admin/faults`).
  void fault(const std::string& json);

  /// `requests.<endpoint>` of `GET /_admin/stats`.
  int64_t request_count(const std::string& endpoint);

  /// Client options for this emulator with its default token and the
  /// configuration's default pricing.
  providers::provider_options config() const;

  /// The emulator's output so far (for failure messages).
  std::string output() const {
    return process_->output();
  }

private:
  admin_answer admin(const std::string& method, const std::string& path,
                     const std::string& json);

  std::unique_ptr<child_process> process_;
};

} // namespace jobsync::test
