#pragma once

// A real jobsyncd taking local trainers' reports (Replicate off: nothing
// but the tests writes), and the two real tools: trainer-sim, which replays
// a SimpleTuner trainer's reports, and jobsync-track.

#include "tests/support/jobsyncd.hpp"
#include "tests/support/json_checks.hpp"
#include "tests/support/sse_client.hpp"

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace jobsync::test {

/// What a trainer-sim run printed and how it ended.
struct trainer_run {
  int exit_code = -1;
  size_t reports = 0;
  size_t acknowledged = 0;
  size_t refused = 0;
  double p99_ms = 0;
  std::string output;
};

/// The fields of one job_status_changed event about a local job.
struct local_change {
  std::string job_id;
  std::string status;
  std::string previous_status;
  std::optional<double> progress;
  std::string provider;
};

inline local_change parse_local_change(const sse_event& e) {
  rapidjson::Document d;
  d.Parse(e.data.c_str());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject(), e.data);
  BOOST_TEST_REQUIRE(std::string{d["type"].GetString()}
                     == "job_status_changed");
  local_change c;
  c.job_id = d["job_id"].GetString();
  c.status = d["status"].GetString();
  if (d["previous_status"].IsString())
    c.previous_status = d["previous_status"].GetString();
  if (d["provider"].IsString())
    c.provider = d["provider"].GetString();
  if (d.HasMember("progress"))
    c.progress = d["progress"].GetDouble();
  return c;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

struct local_fixture {
  temp_dir dir;
  std::unique_ptr<jobsyncd> server;

  /// Starts jobsyncd with these extra `--set` settings.
  void start(const std::vector<std::string>& settings = {}) {
    std::vector<std::string> args{"--set", "providers.replicate.enabled=false"};
    for (const auto& s : settings) {
      args.push_back("--set");
      args.push_back(s);
    }
    server = std::make_unique<jobsyncd>(dir.path() + "/data", args);
  }

  std::string callback_url() const {
    return server->url("/callback");
  }

  /// Runs trainer-sim to the end with these options (the URL is added).
  trainer_run replay(std::vector<std::string> options) {
    std::vector<std::string> argv{TRAINER_SIM_PATH, "--url", callback_url()};
    argv.insert(argv.end(), options.begin(), options.end());
    child_process p{argv};
    auto code = p.wait_exit(std::chrono::seconds(120));
    BOOST_REQUIRE_MESSAGE(code, "trainer-sim did not end:\n" << p.output());
    trainer_run r;
    r.exit_code = *code;
    r.output = p.output();
    std::smatch m;
    static const std::regex summary{
        R"((\d+) reports, (\d+) acknowledged, (\d+) refused, \d+ lost; )"
        R"(latency p50 [0-9.]+ ms, p99 ([0-9.]+) ms)"};
    BOOST_REQUIRE_MESSAGE(std::regex_search(r.output, m, summary), r.output);
    r.reports = std::stoul(m[1]);
    r.acknowledged = std::stoul(m[2]);
    r.refused = std::stoul(m[3]);
    r.p99_ms = std::stod(m[4]);
    return r;
  }

  /// POSTs a report body as a trainer would.
  http_response report(const std::string& body,
                       std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    return http_request("POST", callback_url(), body, headers);
  }

  /// `GET /api/cloud/jobs/{id}`: the job object; fails the test unless 200.
  rapidjson::Document job(const std::string& id) {
    auto r = http_get(server->url("/api/cloud/jobs/" + url_encode(id)));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    auto d = json_of(r);
    rapidjson::Document out;
    out.CopyFrom(d["job"], out.GetAllocator());
    return out;
  }

  long job_status_code(const std::string& id) {
    return http_get(server->url("/api/cloud/jobs/" + url_encode(id))).status;
  }

  std::string status_of(const std::string& id) {
    return job(id)["status"].GetString();
  }

  /// Number of stored jobs.
  uint64_t total_jobs() {
    auto r = http_get(server->url("/api/cloud/jobs"));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r)["total"].GetUint64();
  }

  rapidjson::Document get_json(const std::string& path) {
    auto r = http_get(server->url(path));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r);
  }

  std::unique_ptr<sse_stream> subscribe(const std::string& target
                                        = "/api/events") {
    auto s = std::make_unique<sse_stream>(server->port(), target);
    BOOST_REQUIRE(s->wait_head());
    BOOST_REQUIRE(s->status() == 200);
    return s;
  }
};

} // namespace jobsync::test
