// The server with jobsync's own route table (http/routes.cpp) and no
// actors behind it: everything checked here is answered before a handler
// asks an actor (methods, HEAD, the token, query errors).

#include "http/jobs_resource.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "tests/unit/http/route_server.hpp"

#include "tests/support/json_checks.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <set>

using namespace jobsync;
using namespace jobsync::http;
using namespace jobsync::test;

namespace {

constexpr const char* token = "s3cret";

struct routes_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<route> table;
  std::unique_ptr<server> srv;
  std::string base;

  routes_fixture() {
    api_config config;
    config.api_token = token;
    auto a = std::make_shared<const api>(sys, config, api_actors{});
    table = make_routes(a);
    srv = serve_routes(a, 256);
    base = base_url(*srv);
  }

  ~routes_fixture() {
    srv->stop();
  }

  // A path the pattern matches.
  static std::string path_of(std::string pattern) {
    for (auto [param, value] :
         {std::pair{":job_id", "job-1"}, std::pair{":provider", "replicate"},
          std::pair{":file", "app.js"}})
      if (auto at = pattern.find(param); at != std::string::npos)
        pattern.replace(at, std::string{param}.size(), value);
    return pattern;
  }

  std::map<std::string, std::string> bearer(const std::string& value) const {
    return {{"Authorization", value}};
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(http_routes, routes_fixture)

BOOST_AUTO_TEST_CASE(every_path_refuses_a_method_it_does_not_serve_with_405) {
  // The methods each path is served with, from the table itself.
  std::map<std::string, std::set<std::string>> served;
  for (const auto& r : table)
    served[path_of(r.pattern)].insert(r.method);
  BOOST_TEST(served.size() >= 15u);
  for (const auto& [path, methods] : served) {
    // A method the path does not serve (/api/cloud/polling/setting is PUT).
    std::string other = methods.count("PUT") > 0 ? "PATCH" : "PUT";
    auto r = http_request(other, base + path, "{}");
    check_error(r, 405, "method_not_allowed", other);
    auto allow = r.headers["allow"];
    for (const auto& m : methods)
      BOOST_TEST(allow.find(m) != std::string::npos, path << ": " << allow);
    BOOST_TEST((allow.find("HEAD") != std::string::npos)
                   == (allow.find("GET") != std::string::npos),
               path << ": " << allow);
  }
  // /api/cloud/jobs/sync is also a job id for GET and DELETE.
  auto sync = http_request("PATCH", base + "/api/cloud/jobs/sync");
  BOOST_TEST(sync.headers["allow"] == "GET, HEAD, POST, DELETE");
  check_error(http_request("PATCH", base + "/api/nowhere"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(head_is_served_wherever_get_is) {
  for (auto path : {"/healthz", "/", "/assets/app.js", "/assets/app.css",
                    "/api/ui/config"}) {
    auto get = http_get(base + path, bearer(std::string{"Bearer "} + token));
    auto head = http_request("HEAD", base + path, {},
                             bearer(std::string{"Bearer "} + token));
    BOOST_TEST(get.status == 200, path);
    BOOST_TEST(head.status == 200, path);
    BOOST_TEST(head.body.empty(), path);
    for (auto h : {"content-type", "content-length", "etag", "cache-control"})
      BOOST_TEST(head.headers[h] == get.headers[h], path << " " << h);
  }
  // A guarded route refuses HEAD without the token as it refuses GET.
  auto refused = http_request("HEAD", base + "/api/cloud/jobs");
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(refused.body.empty());
}

BOOST_AUTO_TEST_CASE(the_bearer_scheme_name_is_case_insensitive) {
  for (auto scheme : {"Bearer ", "bearer ", "BEARER ", "bEaReR   "}) {
    auto r = http_get(base + "/api/ui/config",
                      bearer(scheme + std::string{token}));
    BOOST_TEST(r.status == 200, scheme);
  }
  check_error(http_get(base + "/api/ui/config", bearer("Bearer wrong")), 401,
              "unauthorized", "not valid");
  for (auto refused : {"Basic czNjcmV0", "Bearers3cret", "Bearer ", "s3cret"})
    check_error(http_get(base + "/api/ui/config", bearer(refused)), 401,
                "unauthorized", "requires an API token");
}

BOOST_AUTO_TEST_CASE(a_repeated_query_parameter_error_names_that_parameter) {
  auto auth = bearer(std::string{"Bearer "} + token);
  check_error(http_get(base + "/api/cloud/metrics?days=7&days=30", auth), 400,
              "bad_request", "'days' is given more than once");
  auto r = http_get(base + "/api/cloud/metrics?days=7&days=30", auth);
  BOOST_TEST(r.body.find("status") == std::string::npos, r.body);
  check_error(http_get(base + "/api/cloud/jobs?limit=1&limit=2", auth), 400,
              "bad_request", "'limit'");
  check_error(http_get(base + "/api/events?job_id=a&job_id=b", auth), 400,
              "bad_request", "'job_id'");
  check_error(
      http_get(base + "/api/cloud/jobs?status=running&status=nope", auth), 400,
      "bad_request", "Invalid status 'running,nope'");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(list_query)

BOOST_AUTO_TEST_CASE(repeated_statuses_mean_the_comma_list) {
  auto repeated = parse_list_request("status=running&status=failed");
  auto listed = parse_list_request("status=running,failed");
  BOOST_REQUIRE(repeated);
  BOOST_REQUIRE(listed);
  BOOST_TEST(repeated->query.filter.status_mask
             == listed->query.filter.status_mask);
  BOOST_TEST(repeated->query.filter.status_mask != 0);
  auto three
      = parse_list_request("status=running&limit=5&status=queued,failed");
  BOOST_REQUIRE(three);
  BOOST_TEST(three->query.filter.status_mask
             == parse_list_request("status=queued,running,failed")
                    ->query.filter.status_mask);
  BOOST_TEST(three->query.limit == 5u);
}

BOOST_AUTO_TEST_CASE(other_parameters_may_not_repeat) {
  for (auto name : {"limit", "offset", "provider", "job_type", "sync_active"}) {
    auto q = std::string{name} + "=1&" + name + "=1";
    auto r = parse_list_request(q);
    BOOST_REQUIRE(!r);
    BOOST_TEST(r.error().detail.find("'" + std::string{name} + "'")
                   != std::string::npos,
               r.error().detail);
  }
}

BOOST_AUTO_TEST_SUITE_END()
