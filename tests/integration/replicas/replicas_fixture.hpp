#pragma once

// jobsyncd replicas sharing one database on the throwaway PostgreSQL
// server. Only webhooks feed them (no polling), so the test decides every
// change.

#include "tests/integration/events/events_fixture.hpp"
#include "tests/integration/webhooks/webhook_fixture.hpp"
#include "tests/support/postgres_server.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

struct replicas_fixture {
  postgres_server& server = shared_postgres();
  std::string url = server.url(server.create_database());
  /// Each replica's own folder (nothing of the jobs is kept there).
  std::vector<std::unique_ptr<temp_dir>> dirs;

  /// Starts a replica on the fixture's database and waits until it is
  /// ready.
  std::unique_ptr<jobsyncd> replica(std::vector<std::string> more = {}) {
    dirs.push_back(std::make_unique<temp_dir>());
    std::vector<std::string> flags{"--set", "storage.backend=postgres", "--set",
                                   "storage.postgres.url=" + url};
    flags.insert(flags.end(), more.begin(), more.end());
    auto r = std::make_unique<jobsyncd>(dirs.back()->path(),
                                        webhook_server_flags(flags));
    BOOST_REQUIRE_MESSAGE(eventually([&] { return ready(*r); }),
                          "replica not ready:\n"
                              << r->process().output());
    return r;
  }

  static bool ready(const jobsyncd& r) {
    return http_get(r.url("/readyz")).status == 200;
  }

  /// A delivery of `job` in `status`, as webhook `msg_id`, to a replica.
  static std::string deliver_status(const jobsyncd& r,
                                    const std::string& msg_id,
                                    const std::string& job,
                                    const std::string& status) {
    return accepted_as(deliver(r, msg_id, prediction(job, status)));
  }
};

/// Every event of a replica's stream from now on, or after
/// `last_event_id`.
inline std::unique_ptr<sse_stream>
subscribe(const jobsyncd& r, const std::string& last_event_id = {}) {
  sse_stream::options o;
  if (!last_event_id.empty())
    o.headers["Last-Event-ID"] = last_event_id;
  auto s = std::make_unique<sse_stream>(r.port(), "/api/events", o);
  BOOST_REQUIRE(s->wait_head());
  BOOST_REQUIRE(s->status() == 200);
  return s;
}

/// The ids and jobs of a stream's change events, as "id:job:status".
inline std::vector<std::string> changes_of(const sse_stream& s) {
  std::vector<std::string> out;
  for (const auto& e : s.events()) {
    auto c = parse_change(e);
    out.push_back(std::to_string(c.id) + ":" + c.job_id + ":" + c.status);
  }
  return out;
}

} // namespace jobsync::test
