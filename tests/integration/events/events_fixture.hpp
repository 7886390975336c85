#pragma once

// A real jobsyncd over a real replicate-sim with a frozen clock and
// background polling off, so only the test moves jobs: seed them in the
// emulator, discover them with a sync, advance them and refresh them with
// sync_active. Each status change the registry commits is one event.

#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"
#include "tests/support/sse_client.hpp"

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// The fields of one job_status_changed event.
struct change_seen {
  uint64_t id = 0;
  std::string job_id;
  std::string status;
  std::string previous_status;
};

/// Parses an event's data, failing the test unless it is a well-formed
/// job_status_changed object (the fields and types of docs/api.md).
inline change_seen parse_change(const sse_event& e) {
  BOOST_TEST_REQUIRE(e.type == "message");
  rapidjson::Document d;
  d.Parse(e.data.c_str());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject(), e.data);
  BOOST_REQUIRE(d.HasMember("type") && d["type"].IsString());
  BOOST_TEST_REQUIRE(std::string{d["type"].GetString()}
                     == "job_status_changed");
  BOOST_REQUIRE(d.HasMember("job_id") && d["job_id"].IsString());
  BOOST_REQUIRE(d.HasMember("status") && d["status"].IsString());
  BOOST_REQUIRE(
      d.HasMember("previous_status")
      && (d["previous_status"].IsNull() || d["previous_status"].IsString()));
  BOOST_REQUIRE(d.HasMember("provider") && d["provider"].IsString());
  BOOST_TEST(std::string{d["provider"].GetString()} == "replicate");
  if (d.HasMember("progress"))
    BOOST_TEST(d["progress"].IsNumber());
  if (d.HasMember("stage"))
    BOOST_TEST(d["stage"].IsString());
  change_seen c;
  c.id = std::stoull(e.id);
  c.job_id = d["job_id"].GetString();
  c.status = d["status"].GetString();
  if (d["previous_status"].IsString())
    c.previous_status = d["previous_status"].GetString();
  return c;
}

/// The ids of a stream's events, in order.
inline std::vector<uint64_t> ids_seen(const sse_stream& s) {
  std::vector<uint64_t> out;
  for (const auto& e : s.events())
    out.push_back(std::stoull(e.id));
  return out;
}

/// `first, first + 1, ..., last`.
inline std::vector<uint64_t> id_range(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out;
  for (auto i = first; i <= last; ++i)
    out.push_back(i);
  return out;
}

struct events_fixture {
  temp_dir dir;
  replicate_sim sim{{"--speed", "0", "--start-time", "2026-11-01T10:00:00Z"}};
  std::unique_ptr<jobsyncd> server;

  /// Starts jobsyncd over the fixture's data folder with these extra
  /// `--set` flags (e.g. "events.replay_buffer=3").
  void start(const std::vector<std::string>& settings = {}) {
    std::vector<std::string> args{
        "--set", "providers.replicate.api_base_url=" + sim.api_base(),
        "--set", "providers.replicate.api_token=r8_sim_token",
        "--set", "background.job_status_polling.enabled=false",
        "--set", "sync.active_deadline_seconds=8"};
    for (const auto& s : settings) {
      args.push_back("--set");
      args.push_back(s);
    }
    server = std::make_unique<jobsyncd>(dir.path(), args);
  }

  uint16_t port() const {
    return server->port();
  }

  /// Creates `n` jobs in the emulator, held in `starting`; newest first.
  std::vector<std::string> seed(size_t n) {
    auto r = sim.admin("/_admin/jobs", "{\"count\":" + std::to_string(n)
                                           + ",\"status\":\"starting\"}");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    std::vector<std::string> ids;
    for (const auto& v : d["ids"].GetArray())
      ids.emplace_back(v.GetString());
    return ids;
  }

  /// Discovers the emulator's jobs (`POST /api/cloud/jobs/sync`); returns
  /// how many were new (one event each).
  uint64_t sync() {
    auto r = http_request("POST", server->url("/api/cloud/jobs/sync"), "{}",
                          {{"Content-Type", "application/json"}});
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r)["synced"].GetUint64();
  }

  /// Moves a job in the emulator (`processing`, `succeeded`, ...).
  void advance(const std::string& id, const std::string& to) {
    auto r = sim.admin("/_admin/jobs/" + id + "/advance",
                       "{\"to\":\"" + to + "\"}");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }

  /// Refreshes every active job from the emulator
  /// (`GET /api/cloud/jobs?sync_active=true`); returns how many changed.
  uint64_t refresh() {
    auto r = http_get(server->url("/api/cloud/jobs?sync_active=true&limit=1"));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    BOOST_REQUIRE(d.HasMember("sync"));
    BOOST_TEST(d["sync"]["complete"].GetBool(), r.body);
    return d["sync"]["updated"].GetUint64();
  }

  /// Opens `/api/events` (or `target`) and waits for the stream's first
  /// frame; fails the test unless it is a 200 event stream.
  std::unique_ptr<sse_stream>
  subscribe(const std::string& target = "/api/events",
            std::map<std::string, std::string> headers = {}) {
    sse_stream::options opts;
    opts.headers = std::move(headers);
    auto s = std::make_unique<sse_stream>(port(), target, opts);
    BOOST_REQUIRE_MESSAGE(s->wait_head(), "no response to " << target);
    BOOST_REQUIRE_MESSAGE(s->status() == 200,
                          target << ": " << s->status() << " " << s->body());
    BOOST_REQUIRE(s->wait_for(
        [&] { return s->body().find("\n\n") != std::string::npos; }));
    return s;
  }
};

} // namespace jobsync::test
