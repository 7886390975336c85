// GET /api/cloud/metrics over a store with known jobs, GET /metrics, and
// the dashboard's files (embedded and from web.assets_dir), against the real
// jobsyncd.

#include "tests/integration/http_api/api_fixture.hpp"

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

using namespace jobsync;
using namespace jobsync::test;

namespace {

constexpr unix_ms day = 86'400'000;

// Noon (UTC) k days before today: far from midnight, so a date never
// depends on when the test runs.
unix_ms noon_days_ago(int k) {
  auto now = now_ms();
  return now - now % day - k * day + day / 2;
}

job finished(const std::string& id, job_status status, unix_ms created,
             int64_t run_seconds, std::optional<double> cost) {
  auto x = make_job(id, status, created);
  x.started_at = format_rfc3339(created + 1000);
  x.completed_at = format_rfc3339(created + 1000 + run_seconds * 1000);
  x.cost_usd = cost;
  return x;
}

std::string read_source(const std::string& rel) {
  std::ifstream in{source_dir() + "/" + rel, std::ios::binary};
  BOOST_REQUIRE_MESSAGE(in, rel);
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// Known jobs: three finished ones with costs and run times, a cancelled, a
// running and a local job in the last 30 days, one 40 days old, and one
// created a moment ago.
struct figures_store {
  temp_dir dir;
  std::unique_ptr<jobsyncd> server;

  figures_store() {
    seed_store(
        dir.path(),
        {finished("a", job_status::completed, noon_days_ago(2), 60, 0.5),
         finished("b", job_status::completed, noon_days_ago(3), 120, 0.25),
         finished("c", job_status::failed, noon_days_ago(3), 30, 0.125),
         make_job("d", job_status::cancelled, noon_days_ago(10)),
         make_job("e", job_status::running, noon_days_ago(2)),
         make_job("g", job_status::queued, noon_days_ago(4), std::nullopt),
         finished("old", job_status::completed, noon_days_ago(40), 300, 100.0),
         make_job("new", job_status::pending, now_ms() - 1000)});
    server = std::make_unique<jobsyncd>(dir.path());
  }

  rapidjson::Document metrics(const std::string& query) {
    auto r = http_get(server->url("/api/cloud/metrics" + query));
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    BOOST_TEST(r.headers["content-type"] == "application/json; charset=utf-8");
    return json_of(r);
  }
};

uint64_t count_of(const rapidjson::Value& by, const char* status) {
  return by[status].GetUint64();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(dashboard_metrics_api, figures_store)

BOOST_AUTO_TEST_CASE(the_figures_of_30_days_are_those_of_the_store) {
  auto d = metrics("?days=30");
  BOOST_TEST(d["period_days"].GetInt() == 30);
  BOOST_TEST(d["job_count"].GetUint64() == 7u);
  BOOST_TEST(d["total_cost"].GetDouble() == 0.875);
  BOOST_TEST(d["avg_job_duration_seconds"].GetDouble() == 90.0);
  BOOST_TEST(d["credit_balance"].IsNull());
  BOOST_TEST(d["estimated_jobs_remaining"].IsNull());
  const auto& by = d["jobs_by_status"];
  BOOST_TEST(by.MemberCount() == 7u);
  BOOST_TEST(count_of(by, "completed") == 2u);
  BOOST_TEST(count_of(by, "failed") == 1u);
  BOOST_TEST(count_of(by, "cancelled") == 1u);
  BOOST_TEST(count_of(by, "running") == 1u);
  BOOST_TEST(count_of(by, "queued") == 1u);
  BOOST_TEST(count_of(by, "pending") == 1u);
  BOOST_TEST(count_of(by, "uploading") == 0u);
  std::map<std::string, const rapidjson::Value*> days;
  std::string previous;
  uint64_t jobs = 0;
  for (const auto& x : d["cost_by_day"].GetArray()) {
    std::string date = x["date"].GetString();
    BOOST_TEST(date > previous, "ascending dates");
    previous = date;
    days[date] = &x;
    // Exactly the original's members.
    std::set<std::string> members;
    for (const auto& m : x.GetObject())
      members.insert(m.name.GetString());
    BOOST_TEST((members
                == std::set<std::string>{"date", "total_jobs", "completed",
                                         "failed", "cancelled", "local_jobs",
                                         "cloud_jobs", "total_cost_usd"}));
    BOOST_TEST(x["local_jobs"].GetUint64() + x["cloud_jobs"].GetUint64()
               == x["total_jobs"].GetUint64());
    jobs += x["total_jobs"].GetUint64();
  }
  BOOST_TEST(jobs == 7u);
  BOOST_TEST(days.size() == 5u);
  const auto& d3 = *days.at(format_date(noon_days_ago(3)));
  BOOST_TEST(d3["total_jobs"].GetUint64() == 2u);
  BOOST_TEST(d3["completed"].GetUint64() == 1u);
  BOOST_TEST(d3["failed"].GetUint64() == 1u);
  BOOST_TEST(d3["cancelled"].GetUint64() == 0u);
  BOOST_TEST(d3["cloud_jobs"].GetUint64() == 2u);
  BOOST_TEST(d3["total_cost_usd"].GetDouble() == 0.375);
  const auto& d2 = *days.at(format_date(noon_days_ago(2)));
  BOOST_TEST(d2["total_jobs"].GetUint64() == 2u);
  BOOST_TEST(d2["total_cost_usd"].GetDouble() == 0.5);
  const auto& d4 = *days.at(format_date(noon_days_ago(4)));
  BOOST_TEST(d4["local_jobs"].GetUint64() == 1u);
  BOOST_TEST(d4["cloud_jobs"].GetUint64() == 0u);
  const auto& d10 = *days.at(format_date(noon_days_ago(10)));
  BOOST_TEST(d10["cancelled"].GetUint64() == 1u);
  BOOST_TEST(d10["total_cost_usd"].GetDouble() == 0.0);
}

BOOST_AUTO_TEST_CASE(the_period_decides_which_jobs_count) {
  // The default is 30 days.
  BOOST_TEST(metrics("")["job_count"].GetUint64() == 7u);
  auto longer = metrics("?days=90");
  BOOST_TEST(longer["job_count"].GetUint64() == 8u);
  BOOST_TEST(longer["total_cost"].GetDouble() == 100.875);
  BOOST_TEST(longer["avg_job_duration_seconds"].GetDouble() == 160.0);
  BOOST_TEST(longer["period_days"].GetInt() == 90);
  auto one = metrics("?days=1");
  BOOST_TEST(one["job_count"].GetUint64() == 1u);
  BOOST_TEST(one["jobs_by_status"]["pending"].GetUint64() == 1u);
  BOOST_TEST(one["avg_job_duration_seconds"].IsNull());
  BOOST_TEST(one["total_cost"].GetDouble() == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_days_are_400_naming_days) {
  for (auto q : {"?days=0", "?days=366", "?days=x", "?days=", "?days=2.5",
                 "?days=-3", "?days=1&days=2"})
    check_error(http_get(server->url(std::string{"/api/cloud/metrics"} + q)),
                400, "bad_request", "days");
}

BOOST_AUTO_TEST_CASE(prometheus_text_shows_the_counters) {
  auto r = http_get(server->url("/metrics"));
  BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
  BOOST_TEST(r.headers["content-type"]
             == "text/plain; version=0.0.4; charset=utf-8");
  const auto& t = r.body;
  auto has = [&t](const std::string& line) {
    return t.find("\n" + line + "\n") != std::string::npos;
  };
  BOOST_TEST(has("jobsync_jobs{job_type=\"cloud\",provider=\"replicate\","
                 "status=\"completed\"} 3"),
             t);
  BOOST_TEST(has("jobsync_jobs{job_type=\"cloud\",provider=\"replicate\","
                 "status=\"uploading\"} 0"));
  BOOST_TEST(has("jobsync_jobs{job_type=\"local\",provider=\"\","
                 "status=\"queued\"} 1"));
  // running e, pending new, queued g.
  BOOST_TEST(has("jobsync_jobs_active 3"));
  BOOST_TEST(has("# TYPE jobsync_jobs gauge"));
  BOOST_TEST(has("# TYPE jobsync_poller_cycles_total counter"));
  BOOST_TEST(has("jobsync_poller_enabled{provider=\"replicate\"} 1"));
  BOOST_TEST(t.find("jobsync_build_info{version=\"") != std::string::npos);
  BOOST_TEST(t.back() == '\n');
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dashboard_files)

BOOST_AUTO_TEST_CASE(the_page_and_its_assets_are_served_with_types_and_etags) {
  temp_dir dir;
  jobsyncd server{dir.path()};
  auto page = http_get(server.url("/"));
  BOOST_REQUIRE(page.status == 200);
  BOOST_TEST(page.headers["content-type"] == "text/html; charset=utf-8");
  BOOST_TEST(page.body == read_source("web/static/index.html"));
  BOOST_TEST(page.headers["cache-control"] == "no-cache");
  BOOST_TEST(page.headers["x-content-type-options"] == "nosniff");
  BOOST_TEST(page.headers["content-security-policy"].find("default-src 'none'")
             != std::string::npos);
  auto etag = page.headers["etag"];
  BOOST_REQUIRE(etag.size() > 2);
  BOOST_TEST(etag.front() == '"');
  // Revalidation: the same version is a 304 without a body.
  auto again = http_get(server.url("/"), {{"If-None-Match", etag}});
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());
  BOOST_TEST(again.headers["etag"] == etag);
  BOOST_TEST(http_get(server.url("/"), {{"If-None-Match", "\"other\""}}).status
             == 200);
  struct asset {
    const char* name;
    const char* type;
  } assets[] = {{"app.js", "text/javascript; charset=utf-8"},
                {"app.css", "text/css; charset=utf-8"},
                {"icon.svg", "image/svg+xml"}};
  for (auto a : assets) {
    auto r = http_get(server.url(std::string{"/assets/"} + a.name));
    BOOST_TEST(r.status == 200, a.name);
    BOOST_TEST(r.headers["content-type"] == a.type, a.name);
    BOOST_TEST(r.body == read_source(std::string{"web/static/"} + a.name),
               a.name);
    BOOST_TEST(!r.headers["etag"].empty());
    BOOST_TEST(r.headers.count("content-security-policy") == 0u);
  }
  check_error(http_get(server.url("/assets/nope.js")), 404, "not_found",
              "nope.js");
  check_error(http_get(server.url("/assets/..%2Fmain.cpp")), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(ui_config_tells_the_page_about_demo_mode) {
  temp_dir dir;
  {
    jobsyncd server{dir.path()};
    auto d = json_of(http_get(server.url("/api/ui/config")));
    BOOST_TEST(!d["demo"].GetBool());
    BOOST_TEST(std::string{d["version"].GetString()}.size() > 0u);
  }
  jobsyncd demo{dir.path(), {}, {{"JOBSYNC_WEB_DEMO", "true"}}};
  BOOST_TEST(json_of(http_get(demo.url("/api/ui/config")))["demo"].GetBool());
}

BOOST_AUTO_TEST_CASE(a_token_guards_the_api_but_not_the_page_or_metrics) {
  temp_dir dir;
  jobsyncd server{dir.path(), {"--set", "server.api_token=s3cret"}};
  check_error(http_get(server.url("/api/cloud/metrics")), 401, "unauthorized");
  check_error(http_get(server.url("/api/ui/config")), 401, "unauthorized");
  BOOST_TEST(http_get(server.url("/api/cloud/metrics"),
                      {{"Authorization", "Bearer s3cret"}})
                 .status
             == 200);
  BOOST_TEST(http_get(server.url("/")).status == 200);
  BOOST_TEST(http_get(server.url("/assets/app.js")).status == 200);
  BOOST_TEST(http_get(server.url("/metrics")).status == 200);
}

BOOST_AUTO_TEST_CASE(assets_dir_serves_a_folder_as_it_is_now) {
  temp_dir data;
  temp_dir web;
  write_file(web.path() + "/index.html", "<p>first</p>");
  write_file(web.path() + "/extra.js", "let x = 1;");
  jobsyncd server{data.path(), {"--set", "web.assets_dir=" + web.path()}};
  auto first = http_get(server.url("/"));
  BOOST_TEST(first.status == 200);
  BOOST_TEST(first.body == "<p>first</p>");
  BOOST_TEST(first.headers["content-type"] == "text/html; charset=utf-8");
  // An edit shows at once, with a new ETag.
  write_file(web.path() + "/index.html", "<p>second</p>");
  auto second
      = http_get(server.url("/"), {{"If-None-Match", first.headers["etag"]}});
  BOOST_TEST(second.status == 200);
  BOOST_TEST(second.body == "<p>second</p>");
  BOOST_TEST(second.headers["etag"] != first.headers["etag"]);
  auto js = http_get(server.url("/assets/extra.js"));
  BOOST_TEST(js.status == 200);
  BOOST_TEST(js.headers["content-type"] == "text/javascript; charset=utf-8");
  // Only that folder: no other names, no way out of it.
  check_error(http_get(server.url("/assets/app.js")), 404, "not_found",
              "web.assets_dir");
  write_file(data.path() + "/secret.txt", "no");
  check_error(http_get(server.url("/assets/..%2F" + url_encode(data.path())
                                  + "%2Fsecret.txt")),
              404, "not_found");
  check_error(http_get(server.url("/assets/.hidden")), 404, "not_found");
}

BOOST_AUTO_TEST_SUITE_END()
