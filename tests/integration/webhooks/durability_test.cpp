// A 200 means durable: jobsyncd is killed with SIGKILL while deliveries are
// being acknowledged, and after a restart every acknowledged change is in
// the store and every acknowledged id is still known.

#include "tests/integration/webhooks/webhook_fixture.hpp"

#include <atomic>
#include <mutex>
#include <thread>

using namespace jobsync;
using namespace jobsync::test;

namespace {

struct acked {
  std::string job_id;
  std::string msg_id;
  std::string body;
  /// The job status the delivery set.
  std::string status;
};

int rank(const std::string& status) {
  if (status == "queued")
    return 1;
  if (status == "running")
    return 2;
  if (status == "completed")
    return 3;
  return 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(webhooks_durability)

BOOST_AUTO_TEST_CASE(every_acknowledged_delivery_survives_a_sigkill) {
  temp_dir dir;
  std::mutex mtx;
  std::vector<acked> acknowledged;
  std::vector<std::string> unexpected;
  std::atomic<size_t> count{0};
  {
    jobsyncd server{dir.path(), webhook_server_flags()};
    std::atomic<bool> stop{false};
    std::vector<std::thread> senders;
    const std::vector<std::pair<std::string, std::string>> lifecycle{
        {"starting", "queued"},
        {"processing", "running"},
        {"succeeded", "completed"}};
    for (int t = 0; t < 4; ++t)
      senders.emplace_back([&, t] {
        // Each sender walks its own jobs through their lifecycle, one
        // delivery at a time, until the server is gone.
        for (int k = 0; !stop; ++k) {
          auto job_id = "d" + std::to_string(t) + "-" + std::to_string(k);
          for (const auto& [word, status] : lifecycle) {
            auto msg_id = "msg_" + job_id + "_" + word;
            auto body = prediction(job_id, word);
            auto r = post_webhook(server, body, signed_headers(msg_id, body));
            std::lock_guard<std::mutex> lock{mtx};
            if (r.status != 200) {
              // Only a dead server may fail to answer 200 (Boost.Test
              // assertions are for the main thread: checked below).
              if (r.status != 0)
                unexpected.push_back(std::to_string(r.status) + " " + r.body);
              stop = true;
              return;
            }
            acknowledged.push_back({job_id, msg_id, body, status});
            ++count;
          }
        }
      });
    // Kill while deliveries are still arriving and being answered.
    BOOST_REQUIRE(
        eventually([&] { return count >= 300; }, std::chrono::seconds{120}));
    server.kill();
    for (auto& s : senders)
      s.join();
  }
  BOOST_TEST(unexpected.empty(),
             (unexpected.empty() ? std::string{} : unexpected.front()));
  BOOST_TEST_MESSAGE(acknowledged.size() << " deliveries acknowledged "
                                            "before the kill");
  jobsyncd restarted{dir.path(), webhook_server_flags()};
  // The highest acknowledged status of each job is stored (a later one may
  // have committed without its answer getting out).
  std::map<std::string, std::string> last;
  for (const auto& a : acknowledged)
    if (rank(a.status) > rank(last[a.job_id]))
      last[a.job_id] = a.status;
  for (const auto& [job_id, status] : last) {
    auto stored = stored_status(restarted, job_id);
    BOOST_TEST(rank(stored) >= rank(status),
               job_id << ": " << stored << " < " << status);
  }
  // The ids were committed with the changes: every acknowledged delivery
  // is now a duplicate.
  for (const auto& a : acknowledged) {
    auto r = post_webhook(restarted, a.body, signed_headers(a.msg_id, a.body));
    BOOST_TEST(accepted_as(r) == "duplicate", a.msg_id);
  }
}

BOOST_AUTO_TEST_SUITE_END()
