#include "model/progress.hpp"
#include "tests/integration/sync_polling/provider_fixture.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

using namespace jobsync;
using namespace jobsync::test;

namespace {

// What an inline-progress answer says, comparable.
struct answer {
  std::optional<std::string> stage;
  std::optional<std::string> last_log;
  std::optional<double> progress;

  bool operator<(const answer& o) const {
    return std::tie(stage, last_log, progress)
           < std::tie(o.stage, o.last_log, o.progress);
  }
  bool operator==(const answer& o) const {
    return !(*this < o) && !(o < *this);
  }
};

answer expected_for(const std::string& log) {
  auto p = compute_inline_progress(log);
  return {p.stage, p.last_log, p.progress};
}

// Parses an answer and checks its documented shape.
std::optional<answer> parse_answer(const http_response& r,
                                   const std::string& id) {
  if (r.status != 200)
    return std::nullopt;
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (d.HasParseError() || !d.IsObject() || d.MemberCount() != 4
      || !d.HasMember("job_id") || !d["job_id"].IsString()
      || d["job_id"].GetString() != id || !d.HasMember("stage")
      || !d.HasMember("last_log") || !d.HasMember("progress"))
    return std::nullopt;
  answer a;
  if (d["stage"].IsString())
    a.stage = d["stage"].GetString();
  else if (!d["stage"].IsNull())
    return std::nullopt;
  if (d["last_log"].IsString())
    a.last_log = d["last_log"].GetString();
  else if (!d["last_log"].IsNull())
    return std::nullopt;
  if (d["progress"].IsNumber())
    a.progress = d["progress"].GetDouble();
  else if (!d["progress"].IsNull())
    return std::nullopt;
  return a;
}

struct progress_fixture : provider_fixture {
  std::string sim_log(const std::string& id) {
    auto d = json_of(http_get(sim.url("/_admin/jobs/" + id)));
    return d["logs"].IsString() ? d["logs"].GetString() : "";
  }

  void append(const std::string& id, const std::string& text) {
    auto r = sim.admin("/_admin/jobs/" + id + "/logs",
                       "{\"append\":" + quote(text) + "}");
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  }

  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '\n')
        out += "\\n";
      else if (c == '"')
        out += "\\\"";
      else
        out += c;
    }
    return out + "\"";
  }

  std::optional<answer> progress_of(const std::string& id) {
    return parse_answer(
        http_get(server->url("/api/cloud/jobs/" + id + "/inline-progress")),
        id);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(inline_progress_api, progress_fixture)

// 50 clients poll 20 running jobs every 100 ms for 10 s. The provider sees
// at most one log fetch per job per freshness period (1 s in test.yaml),
// and every answer is what the rules give for the emulator's log of that
// job at that time (the log changes once, half-way).
BOOST_AUTO_TEST_CASE(many_pollers_cost_one_fetch_per_job_per_period) {
  auto ids = seed(
      R"({"count":20,"status":"processing","created_spread_seconds":200})");
  for (size_t i = 0; i < ids.size(); ++i)
    append(ids[i],
           "Step " + std::to_string(10 * (i + 1)) + "/1000 - loss: 0.25\n");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync"); // stores every log tail
  std::map<std::string, std::set<answer>> allowed;
  std::mutex mtx;
  for (const auto& id : ids)
    allowed[id].insert(expected_for(sim_log(id)));
  reset_stats();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> answers{0}, bad{0};
  std::string first_bad;
  std::vector<std::thread> clients;
  for (int c = 0; c < 50; ++c)
    clients.emplace_back([&] {
      http_session session;
      while (!stop) {
        auto next
            = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        for (const auto& id : ids) {
          auto a = parse_answer(session.get(server->url("/api/cloud/jobs/" + id
                                                        + "/inline-progress")),
                                id);
          std::lock_guard<std::mutex> guard{mtx};
          if (!a || allowed[id].count(*a) == 0) {
            if (bad++ == 0)
              first_bad
                  = id + ": "
                    + (a ? a->last_log.value_or("(null)") : "(bad shape)");
          }
          ++answers;
        }
        std::this_thread::sleep_until(next);
      }
    });
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_until(start + std::chrono::seconds(5));
  {
    // Half-way, every log grows; answers may show the new state from now on.
    std::lock_guard<std::mutex> guard{mtx};
    for (size_t i = 0; i < ids.size(); ++i) {
      append(ids[i], "Running validation at step 500/1000\n");
      allowed[ids[i]].insert(expected_for(sim_log(ids[i])));
    }
  }
  std::this_thread::sleep_until(start + std::chrono::seconds(10));
  stop = true;
  for (auto& t : clients)
    t.join();
  BOOST_TEST(bad.load() == 0u, "first: " << first_bad);
  BOOST_TEST(answers.load() > 2000u); // the clients really polled
  // The newest state reaches every client once its period has passed.
  for (const auto& id : ids)
    BOOST_TEST(eventually(
        [&] { return progress_of(id) == expected_for(sim_log(id)); }));
  auto s = stats();
  const auto& gets = s["gets_by_job"];
  size_t most = 0;
  for (const auto& id : ids)
    if (gets.HasMember(id.c_str()))
      most = std::max<size_t>(most, gets[id.c_str()].Size());
  BOOST_TEST_MESSAGE(answers.load() << " answers in 10 s; at most " << most
                                    << " provider fetches per job");
  for (const auto& id : ids) {
    BOOST_REQUIRE(gets.HasMember(id.c_str()));
    std::vector<int64_t> at;
    for (const auto& t : gets[id.c_str()].GetArray())
      at.push_back(t.GetInt64());
    std::sort(at.begin(), at.end());
    BOOST_TEST(at.size() <= 13u, id << ": " << at.size() << " fetches");
    for (size_t i = 1; i < at.size(); ++i)
      BOOST_TEST(at[i] - at[i - 1] >= 950,
                 id << ": fetches " << at[i - 1] << " and " << at[i]);
  }
}

BOOST_AUTO_TEST_CASE(only_running_jobs_have_progress) {
  auto queued = seed(R"({"status":"starting"})").front();
  auto done = seed(R"({"status":"succeeded"})").front();
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  for (const auto& id : {queued, done}) {
    auto a = progress_of(id);
    BOOST_REQUIRE(a);
    BOOST_TEST(!a->stage);
    BOOST_TEST(!a->last_log);
    BOOST_TEST(!a->progress);
  }
  check_error(api("GET", "/api/cloud/jobs/nope/inline-progress"), 404,
              "job_not_found");
}

BOOST_AUTO_TEST_CASE(a_failing_provider_still_gets_the_stored_tail) {
  auto id = seed(R"({"status":"processing"})").front();
  append(id, "Step 250/1000 - loss: 0.5\n");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync"); // stores the log tail
  auto expected = expected_for(sim_log(id));
  fault(R"({"endpoint":"get","kind":"status","status":500})");
  reset_stats();
  // Every answer, before and after the freshness period has made the
  // server ask the provider (which fails), comes from the stored tail.
  BOOST_TEST(eventually([&] {
    auto a = progress_of(id);
    BOOST_REQUIRE(a);
    BOOST_TEST((*a == expected));
    return sim_requests("get") > 0;
  }));
  auto a = progress_of(id);
  BOOST_REQUIRE(a);
  BOOST_TEST((*a == expected));
  BOOST_TEST(*a->progress == 25.0);
}

BOOST_AUTO_TEST_CASE(logs_come_from_the_provider_or_the_marked_tail) {
  auto id = seed(R"({"status":"processing"})").front();
  append(id, "loading dataset\nStep 1/10\n");
  start_quiet();
  api("POST", "/api/cloud/jobs/sync");
  auto r = api("GET", "/api/cloud/jobs/" + id + "/logs");
  BOOST_TEST(r.status == 200, r.body);
  auto d = json_of(r);
  BOOST_TEST(std::string{d["job_id"].GetString()} == id);
  BOOST_TEST(std::string{d["logs"].GetString()} == sim_log(id));
  BOOST_TEST(std::string{d["source"].GetString()} == "provider");
  check_error(api("GET", "/api/cloud/jobs/nope/logs"), 404, "job_not_found");
  // The provider fails: the stored tail answers, marked as such.
  fault(R"({"endpoint":"get","kind":"status","status":503})");
  BOOST_TEST(eventually([&] {
    auto f = json_of(api("GET", "/api/cloud/jobs/" + id + "/logs"));
    return std::string{f["source"].GetString()} == "stored_tail";
  }));
  auto tail = json_of(api("GET", "/api/cloud/jobs/" + id + "/logs"));
  BOOST_TEST(std::string{tail["logs"].GetString()}.find("Step 1/10")
             != std::string::npos);
  BOOST_TEST(
      std::string{tail["detail"].GetString()}.find("could not be reached")
      != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
