#include "tests/integration/http_api/api_fixture.hpp"

using namespace jobsync;
using namespace jobsync::test;

namespace {

const unix_ms t0 = 1'790'000'000'000;

// A server over a store holding a few jobs of every kind.
struct small_store {
  temp_dir dir;
  std::unique_ptr<jobsyncd> server;

  small_store() {
    auto done = make_job("done-1", job_status::completed, t0 + 5000);
    done.started_at = format_rfc3339(t0 + 6000);
    done.completed_at = format_rfc3339(t0 + 66000);
    done.cost_usd = 0.0583;
    done.metadata
        = {{"prediction_id", "\"done-1\""},
           {"urls",
            R"({"get":"https://api.replicate.com/v1/predictions/done-1"})"}};
    seed_store(
        dir.path(),
        {make_job("run-1", job_status::running, t0 + 9000),
         make_job("queued-1", job_status::queued, t0 + 8000),
         make_job("local-1", job_status::running, t0 + 7000, std::nullopt),
         make_job("failed-1", job_status::failed, t0 + 6000), done,
         make_job("odd id/with%chars é", job_status::cancelled, t0 + 4000),
         make_job("other-1", job_status::completed, t0 + 3000,
                  std::string{"other"})});
    server = std::make_unique<jobsyncd>(dir.path());
  }

  http_response get(const std::string& path) {
    return http_get(server->url(path));
  }

  std::string status_of_job(const std::string& id) {
    auto r = get("/api/cloud/jobs/" + id);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r)["job"]["status"].GetString();
  }

  rapidjson::Document list(const std::string& query) {
    auto r = get("/api/cloud/jobs" + query);
    BOOST_REQUIRE_MESSAGE(r.status == 200, r.body);
    return json_of(r);
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(jobs_api, small_store)

BOOST_AUTO_TEST_CASE(the_list_is_newest_first_with_the_total_of_all_matches) {
  auto d = list("");
  BOOST_TEST(d["total"].GetUint64() == 7u);
  BOOST_TEST(d["limit"].GetUint64() == 50u);
  BOOST_TEST(d["offset"].GetUint64() == 0u);
  BOOST_TEST((ids_of(d)
              == std::vector<std::string>{"run-1", "queued-1", "local-1",
                                          "failed-1", "done-1",
                                          "odd id/with%chars é", "other-1"}));
  auto page = list("?limit=2&offset=1");
  BOOST_TEST(page["total"].GetUint64() == 7u);
  BOOST_TEST((ids_of(page) == std::vector<std::string>{"queued-1", "local-1"}));
  BOOST_TEST(list("?offset=7")["jobs"].Size() == 0u);
  BOOST_TEST(list("?offset=7")["total"].GetUint64() == 7u);
}

BOOST_AUTO_TEST_CASE(every_filter_narrows_pages_and_totals) {
  auto running = list("?status=running");
  BOOST_TEST((ids_of(running) == std::vector<std::string>{"run-1", "local-1"}));
  BOOST_TEST(running["total"].GetUint64() == 2u);
  auto several = list("?status=completed,failed&provider=replicate");
  BOOST_TEST(
      (ids_of(several) == std::vector<std::string>{"failed-1", "done-1"}));
  auto local = list("?job_type=local");
  BOOST_TEST((ids_of(local) == std::vector<std::string>{"local-1"}));
  auto cloud = list("?job_type=cloud&limit=1");
  BOOST_TEST(cloud["total"].GetUint64() == 6u);
  BOOST_TEST(list("?provider=other")["total"].GetUint64() == 1u);
  BOOST_TEST(list("?provider=nobody")["total"].GetUint64() == 0u);
  BOOST_TEST(list("?sync_active=false&limit=500")["total"].GetUint64() == 7u);
  // A repeated status means what the comma list means.
  auto repeated = list("?status=completed&provider=replicate&status=failed");
  BOOST_TEST(
      (ids_of(repeated) == std::vector<std::string>{"failed-1", "done-1"}));
  BOOST_TEST(repeated["total"].GetUint64() == 2u);
  BOOST_TEST(list("?sync_active=0")["total"].GetUint64() == 7u);
}

BOOST_AUTO_TEST_CASE(a_job_has_every_field_of_the_api) {
  auto r = get("/api/cloud/jobs/done-1");
  BOOST_REQUIRE(r.status == 200);
  auto d = json_of(r);
  const auto& j = d["job"];
  for (auto key :
       {"job_id", "job_type", "provider", "status", "provider_status",
        "config_name", "created_at", "started_at", "completed_at", "cost_usd",
        "hardware_type", "error_message", "output_url", "metadata",
        "is_terminal", "is_active", "duration_seconds"})
    BOOST_TEST(j.HasMember(key), key);
  BOOST_TEST(std::string{j["status"].GetString()} == "completed");
  BOOST_TEST(j["is_terminal"].GetBool());
  BOOST_TEST(!j["is_active"].GetBool());
  BOOST_TEST(j["duration_seconds"].GetDouble() == 60.0);
  BOOST_TEST(j["cost_usd"].GetDouble() == 0.0583);
  BOOST_TEST(std::string{j["metadata"]["urls"]["get"].GetString()}
             == "https://api.replicate.com/v1/predictions/done-1");
}

BOOST_AUTO_TEST_CASE(path_parameters_are_percent_decoded) {
  auto r = get("/api/cloud/jobs/" + url_encode("odd id/with%chars é"));
  BOOST_TEST(r.status == 200, r.body);
  BOOST_TEST(std::string{json_of(r)["job"]["job_id"].GetString()}
             == "odd id/with%chars é");
  check_error(get("/api/cloud/jobs/%zz"), 400, "bad_request", "percent");
  check_error(get("/api/cloud/jobs/abc%2"), 400, "bad_request");
  check_error(get("/api/cloud/jobs/%00nul"), 404, "job_not_found");
}

BOOST_AUTO_TEST_CASE(unknown_jobs_are_404_job_not_found) {
  check_error(get("/api/cloud/jobs/nope"), 404, "job_not_found", "nope");
  check_error(get("/api/cloud/jobs/sync"), 404, "job_not_found");
}

BOOST_AUTO_TEST_CASE(bad_query_values_are_400_naming_the_parameter) {
  struct row {
    const char* query;
    const char* mention;
  } rows[] = {
      {"limit=0", "limit"},
      {"limit=501", "limit"},
      {"limit=100000", "limit"},
      {"limit=abc", "limit"},
      {"limit=-1", "limit"},
      {"limit=1.5", "limit"},
      {"limit=", "limit"},
      {"limit=%2B5", "limit"},
      {"offset=-1", "offset"},
      {"offset=x", "offset"},
      {"offset=", "offset"},
      {"status=done", "status"},
      {"status=running,", "status"},
      {"status=RUNNING", "status"},
      {"status=", "status"},
      {"job_type=remote", "job_type"},
      {"provider=", "provider"},
      {"sync_active=yes", "sync_active"},
      {"sync_active=", "sync_active"},
      {"limit=5&limit=6", "limit"},
      {"status=%zz", "status"},
      // Echoed in the error as U+FFFD, not as bytes that are not UTF-8.
      {"status=%FF", "status"},
      {"limit=%C0%B5", "limit"},
  };
  for (const auto& r : rows) {
    auto resp = get(std::string{"/api/cloud/jobs?"} + r.query);
    check_error(resp, 400, "bad_request", r.mention);
  }
  // Nothing was touched.
  BOOST_TEST(list("")["total"].GetUint64() == 7u);
}

BOOST_AUTO_TEST_CASE(terminal_jobs_can_be_deleted_active_ones_not) {
  auto active = http_request("DELETE", server->url("/api/cloud/jobs/run-1"));
  check_error(active, 409, "invalid_job_state", "Cancel it first");
  auto unknown = http_request("DELETE", server->url("/api/cloud/jobs/nope"));
  check_error(unknown, 404, "job_not_found");
  auto done = http_request("DELETE", server->url("/api/cloud/jobs/failed-1"));
  BOOST_TEST(done.status == 200, done.body);
  auto d = json_of(done);
  BOOST_TEST(d["success"].GetBool());
  BOOST_TEST(std::string{d["job_id"].GetString()} == "failed-1");
  check_error(get("/api/cloud/jobs/failed-1"), 404, "job_not_found");
  BOOST_TEST(list("")["total"].GetUint64() == 6u);
  auto odd = http_request(
      "DELETE",
      server->url("/api/cloud/jobs/" + url_encode("odd id/with%chars é")));
  BOOST_TEST(odd.status == 200, odd.body);
}

BOOST_AUTO_TEST_CASE(unknown_routes_are_json_404s) {
  check_error(get("/api/nothing"), 404, "not_found", "/api/nothing");
  // (`/` is the dashboard.)
  check_error(get("/index.html"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(a_method_a_known_path_does_not_serve_is_a_405) {
  auto put = http_request("PUT", server->url("/api/cloud/jobs"));
  check_error(put, 405, "method_not_allowed", "PUT");
  BOOST_TEST(put.headers["allow"] == "GET, HEAD");
  auto patch = http_request("PATCH", server->url("/api/cloud/jobs/run-1"));
  check_error(patch, 405, "method_not_allowed");
  BOOST_TEST(patch.headers["allow"] == "GET, HEAD, DELETE");
  auto get_cancel = get("/api/cloud/jobs/run-1/cancel");
  check_error(get_cancel, 405, "method_not_allowed");
  BOOST_TEST(get_cancel.headers["allow"] == "POST");
  // Nothing was touched.
  BOOST_TEST(status_of_job("run-1") == "running");
}

BOOST_AUTO_TEST_CASE(head_answers_every_get_route_without_a_body) {
  BOOST_TEST(eventually([&] { return get("/readyz").status == 200; }));
  // Every GET route of http/routes.cpp. Two ask the provider (a closed
  // port here), whose state may change between two requests: only the
  // missing body is checked there.
  for (auto path : {"/api/cloud/jobs/done-1/logs",
                    "/api/cloud/providers/replicate/validate"}) {
    auto h = http_request("HEAD", server->url(path));
    BOOST_TEST(h.status != 0, path);
    BOOST_TEST(h.body.empty(), path);
  }
  for (auto path :
       {"/api/cloud/jobs", "/api/cloud/jobs?status=running",
        "/api/cloud/jobs/done-1", "/api/cloud/jobs/nope",
        "/api/cloud/jobs/done-1/inline-progress", "/api/cloud/polling/status",
        "/api/cloud/metrics", "/api/ui/config", "/metrics", "/",
        "/assets/app.js", "/healthz", "/readyz"}) {
    auto g = get(path);
    auto h = http_request("HEAD", server->url(path));
    BOOST_TEST(h.status == g.status, path);
    BOOST_TEST(h.body.empty(), path);
    BOOST_TEST(h.headers["content-type"] == g.headers["content-type"], path);
    BOOST_TEST(!h.headers["content-length"].empty(), path);
  }
  // Where the answer cannot change between two requests, the length is
  // the GET body's.
  for (auto path : {"/api/cloud/jobs/done-1", "/api/cloud/jobs/nope",
                    "/api/ui/config", "/", "/assets/app.js", "/healthz"}) {
    auto g = get(path);
    auto h = http_request("HEAD", server->url(path));
    BOOST_TEST(h.headers["content-length"] == std::to_string(g.body.size()),
               path);
  }
  // The event stream: its headers, then the end of the answer.
  auto events = http_request("HEAD", server->url("/api/events"), {}, {},
                             std::chrono::seconds(10));
  BOOST_TEST(events.status == 200);
  BOOST_TEST(events.headers["content-type"] == "text/event-stream");
  BOOST_TEST(events.body.empty());
}

BOOST_AUTO_TEST_CASE(a_request_that_is_not_http_is_answered_400) {
  auto answer = raw_exchange(server->port(), "HELLO WORLD\r\n\r\n");
  BOOST_TEST(answer.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0, answer);
  BOOST_TEST(answer.find(R"("error":"bad_request")") != std::string::npos,
             answer);
  auto length = raw_exchange(server->port(),
                             "DELETE /api/cloud/jobs/done-1 HTTP/1.1\r\n"
                             "Host: x\r\nContent-Length: abc\r\n\r\n");
  BOOST_TEST(length.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0, length);
  // The refused request deleted nothing.
  BOOST_TEST(get("/api/cloud/jobs/done-1").status == 200);
}

BOOST_AUTO_TEST_CASE(huge_urls_and_bodies_get_json_errors) {
  std::string long_query = "?provider=" + std::string(20000, 'x');
  check_error(get("/api/cloud/jobs" + long_query), 400, "bad_request", "URL");
  std::string long_id(100000, 'y');
  check_error(get("/api/cloud/jobs/" + long_id), 400, "bad_request");
  std::string body(2 << 20, 'z');
  auto big = http_request("DELETE", server->url("/api/cloud/jobs/done-1"), body,
                          {{"Content-Type", "text/plain"}});
  check_error(big, 413, "payload_too_large", "1048576");
  // The oversized request deleted nothing.
  BOOST_TEST(get("/api/cloud/jobs/done-1").status == 200);
}

BOOST_AUTO_TEST_CASE(health_and_readiness_answer) {
  auto h = get("/healthz");
  BOOST_TEST(h.status == 200);
  BOOST_TEST(std::string{json_of(h)["status"].GetString()} == "ok");
  // Ready once the first poll has ended (here it fails fast: test.yaml
  // points the provider at a closed port).
  BOOST_TEST(eventually([&] { return get("/readyz").status == 200; }));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(access_control)

BOOST_AUTO_TEST_CASE(an_api_token_guards_every_api_route) {
  temp_dir dir;
  seed_store(dir.path(), {make_job("j1", job_status::completed, t0)});
  jobsyncd server{dir.path(), {"--set", "server.api_token=s3cret"}};
  auto none = http_get(server.url("/api/cloud/jobs"));
  check_error(none, 401, "unauthorized", "Authorization");
  BOOST_TEST(none.headers["www-authenticate"] == "Bearer");
  check_error(http_get(server.url("/api/cloud/jobs"),
                       {{"Authorization", "Bearer wrong"}}),
              401, "unauthorized");
  check_error(http_get(server.url("/api/cloud/jobs"),
                       {{"Authorization", "Bearer s3cre"}}),
              401, "unauthorized");
  check_error(http_get(server.url("/api/cloud/jobs"),
                       {{"Authorization", "Basic s3cret"}}),
              401, "unauthorized");
  check_error(http_request("DELETE", server.url("/api/cloud/jobs/j1")), 401,
              "unauthorized");
  auto ok = http_get(server.url("/api/cloud/jobs"),
                     {{"Authorization", "Bearer s3cret"}});
  BOOST_TEST(ok.status == 200, ok.body);
  BOOST_TEST(json_of(ok)["total"].GetUint64() == 1u);
  // RFC 9110: the scheme name is case-insensitive, and whitespace after
  // the value is not part of it.
  for (auto scheme : {"bearer s3cret", "BEARER s3cret", "Bearer s3cret  "})
    BOOST_TEST(
        http_get(server.url("/api/cloud/jobs"), {{"Authorization", scheme}})
                .status
            == 200,
        scheme);
  // Probes stay public (readiness also waits for the poller's first cycle,
  // which a loaded machine may not have finished yet).
  BOOST_TEST(http_get(server.url("/healthz")).status == 200);
  BOOST_TEST(eventually(
      [&] { return http_get(server.url("/readyz")).status == 200; }));
}

BOOST_AUTO_TEST_SUITE_END()
