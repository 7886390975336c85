// docs/openapi.json against the code: every route of the route table
// (http/routes.cpp) is an operation of the document and every operation is
// a route, path parameters included; the documented error codes are the
// error table's, each under its own status; what the document says needs
// the token does; and the server serves the very same bytes. A route added
// without its documentation (or the reverse) fails here.

#include "http/error_table.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "tests/unit/http/route_server.hpp"
#include "web/assets.hpp"

#include "tests/support/json_checks.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

using namespace jobsync;
using namespace jobsync::http;
using namespace jobsync::test;

namespace {

constexpr const char* token = "s3cret";

const std::vector<std::string> operation_keys{
    "get", "head", "post", "put", "patch", "delete", "options", "trace"};

std::string document_text() {
  std::ifstream in{std::string{JOBSYNC_SOURCE_DIR} + "/docs/openapi.json",
                   std::ios::binary};
  BOOST_REQUIRE_MESSAGE(in, "docs/openapi.json");
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

// `/api/cloud/jobs/:job_id` as OpenAPI writes it: `/api/cloud/jobs/{job_id}`.
std::string openapi_path(const std::string& pattern) {
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] != ':') {
      out += pattern[i++];
      continue;
    }
    auto end = pattern.find('/', i);
    if (end == std::string::npos)
      end = pattern.size();
    out += "{" + pattern.substr(i + 1, end - i - 1) + "}";
    i = end;
  }
  return out;
}

// The `{name}` parameters of an OpenAPI path.
std::set<std::string> template_names(const std::string& path) {
  std::set<std::string> out;
  for (auto open = path.find('{'); open != std::string::npos;
       open = path.find('{', open + 1))
    out.insert(path.substr(open + 1, path.find('}', open) - open - 1));
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  return s;
}

// A concrete path for a documented one: every parameter gets a value.
std::string concrete(std::string path) {
  for (auto open = path.find('{'); open != std::string::npos;
       open = path.find('{'))
    path.replace(open, path.find('}', open) - open + 1, "x");
  return path;
}

// Every value of errc: those whose name is their own (an unnamed value
// falls back to "internal").
std::vector<errc> every_errc() {
  std::vector<errc> out;
  for (int c = 0; c < 256; ++c) {
    auto e = static_cast<errc>(c);
    if (to_string(e) != "internal" || e == errc::internal)
      out.push_back(e);
  }
  return out;
}

struct contract_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  std::vector<route> table;
  std::unique_ptr<server> srv;
  std::string base;
  std::string text = document_text();
  rapidjson::Document doc;

  contract_fixture() {
    doc.Parse(text.c_str());
    BOOST_REQUIRE_MESSAGE(!doc.HasParseError(),
                          "docs/openapi.json is not JSON");
    BOOST_REQUIRE(doc.HasMember("paths") && doc["paths"].IsObject());
    api_config config;
    config.api_token = token;
    auto a = std::make_shared<const api>(sys, config, api_actors{});
    table = make_routes(a);
    srv = serve_routes(a, 64);
    base = base_url(*srv);
  }

  ~contract_fixture() {
    srv->stop();
  }

  const rapidjson::Value* operation(const std::string& path,
                                    const std::string& method) const {
    const auto& paths = doc["paths"];
    auto p = paths.FindMember(path.c_str());
    if (p == paths.MemberEnd())
      return nullptr;
    auto o = p->value.FindMember(method.c_str());
    return o == p->value.MemberEnd() ? nullptr : &o->value;
  }

  bool in_table(const std::string& method, const std::string& path) const {
    return std::any_of(table.begin(), table.end(), [&](const route& r) {
      return r.method == method && openapi_path(r.pattern) == path;
    });
  }

  // A `$ref` to `#/components/...` resolved; anything else as it is.
  const rapidjson::Value& resolved(const rapidjson::Value& v) const {
    if (!v.IsObject() || !v.HasMember("$ref"))
      return v;
    std::string ref = v["$ref"].GetString();
    BOOST_REQUIRE_MESSAGE(ref.rfind("#/components/", 0) == 0, ref);
    const rapidjson::Value* at = &doc;
    size_t from = 2;
    while (from < ref.size()) {
      auto slash = ref.find('/', from);
      auto key = ref.substr(from, slash == std::string::npos ? std::string::npos
                                                             : slash - from);
      BOOST_REQUIRE_MESSAGE(at->HasMember(key.c_str()), ref);
      at = &(*at)[key.c_str()];
      from = slash == std::string::npos ? ref.size() : slash + 1;
    }
    return resolved(*at);
  }

  // The path parameters an operation declares (path level and its own).
  std::set<std::string>
  declared_path_parameters(const std::string& path,
                           const rapidjson::Value& op) const {
    std::set<std::string> out;
    auto collect = [&](const rapidjson::Value& holder) {
      if (!holder.HasMember("parameters"))
        return;
      for (const auto& raw : holder["parameters"].GetArray()) {
        const auto& p = resolved(raw);
        if (std::string{p["in"].GetString()} == "path")
          out.insert(p["name"].GetString());
      }
    };
    collect(doc["paths"][path.c_str()]);
    collect(op);
    return out;
  }

  // The operation's security, or the document's when it has none.
  bool needs_token(const rapidjson::Value& op) const {
    const auto& security
        = op.HasMember("security") ? op["security"] : doc["security"];
    return security.IsArray() && !security.Empty();
  }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(openapi_document, contract_fixture)

BOOST_AUTO_TEST_CASE(every_route_of_the_table_is_documented) {
  BOOST_TEST(table.size() >= 20u);
  for (const auto& r : table) {
    auto path = openapi_path(r.pattern);
    auto method = lower(r.method);
    const auto* op = operation(path, method);
    // Every missing route is reported, not only the first.
    BOOST_TEST(
        op != nullptr,
        r.method << " " << r.pattern
                 << " is a route of http/routes.cpp but not in "
                    "docs/openapi.json: add \"paths\": {\""
                 << path << "\": {\"" << method
                 << "\": {...}}} with its parameters, request body and "
                    "every response (success and each error status, with "
                    "schemas), as docs/architecture.md says");
    if (!op)
      continue;
    BOOST_TEST(declared_path_parameters(path, *op) == template_names(path),
               r.method << " " << path
                        << ": docs/openapi.json must declare exactly the "
                           "path's {parameters} as \"in\": \"path\" "
                           "parameters (of the path or the operation)");
    BOOST_TEST(op->HasMember("responses"),
               r.method << " " << path << " has no \"responses\"");
    // Every GET route answers HEAD (http/server.cpp): documented too.
    if (r.method == "GET")
      BOOST_TEST(operation(path, "head") != nullptr,
                 "HEAD " << path
                         << " is answered (every GET route is) but not in "
                            "docs/openapi.json: add \"head\" beside \"get\" "
                            "under \""
                         << path
                         << "\" (the same responses and headers, no "
                            "content)");
  }
}

BOOST_AUTO_TEST_CASE(every_documented_operation_is_a_route) {
  size_t operations = 0;
  for (const auto& p : doc["paths"].GetObject()) {
    std::string path = p.name.GetString();
    for (const auto& key : operation_keys) {
      if (!p.value.HasMember(key.c_str()))
        continue;
      ++operations;
      // HEAD is answered wherever GET is routed.
      auto method = key == "head" ? std::string{"GET"} : upper(key);
      BOOST_TEST(in_table(method, path),
                 upper(key) << " " << path
                            << " is in docs/openapi.json but no route of "
                               "http/routes.cpp: add the route, or remove "
                               "the operation from the document");
      if (key == "head")
        BOOST_TEST(p.value.HasMember("get"), path << ": HEAD without GET");
    }
  }
  BOOST_TEST(operations >= 40u);
}

BOOST_AUTO_TEST_CASE(documented_error_codes_are_those_of_the_error_table) {
  // The ErrorCode enum is every errc, nothing else.
  std::set<std::string> documented;
  for (const auto& e :
       doc["components"]["schemas"]["ErrorCode"]["enum"].GetArray())
    documented.insert(e.GetString());
  // Every errc, wherever a new one is added to the enum.
  std::map<std::string, errc> coded;
  for (const auto& e : every_errc())
    coded.emplace(std::string{to_string(e)}, e);
  BOOST_TEST(coded.size() >= 13u);
  for (const auto& [name, e] : coded)
    BOOST_TEST(documented.count(name) == 1u,
               "the error code "
                   << name
                   << " (model/errc.hpp) is not in docs/openapi.json: add "
                      "it to components/schemas/ErrorCode's enum, and a "
                      "response with it to each operation that can give it");
  for (const auto& name : documented)
    BOOST_TEST(coded.count(name) == 1u,
               "docs/openapi.json's ErrorCode enum has "
                   << name << ", which is no errc (model/errc.hpp)");
  // Each error response names only codes the error table answers with its
  // status: the operations' and those answered before any operation.
  size_t checked = 0;
  auto check_responses = [&](const std::string& where,
                             const rapidjson::Value& responses) {
    for (const auto& r : responses.GetObject()) {
      int status = std::stoi(r.name.GetString());
      const auto& response = resolved(r.value);
      if (status < 400 || !response.HasMember("content"))
        continue;
      const auto& schema = response["content"]["application/json"]["schema"];
      if (!schema.HasMember("properties")
          || !schema["properties"].HasMember("error"))
        continue; // another shape (the health report's 503)
      const auto& code = schema["properties"]["error"];
      std::vector<std::string> codes;
      if (code.HasMember("const"))
        codes.emplace_back(code["const"].GetString());
      else
        for (const auto& c : code["enum"].GetArray())
          codes.emplace_back(c.GetString());
      for (const auto& c : codes) {
        auto e = coded.find(c);
        BOOST_TEST((e != coded.end()), c << " is no errc");
        if (e != coded.end())
          BOOST_TEST(status_of(e->second) == status,
                     where << " " << status << " documents " << c
                           << ", which http/error_table.cpp answers with "
                           << status_of(e->second));
      }
      ++checked;
    }
  };
  for (const auto& p : doc["paths"].GetObject())
    for (const auto& key : operation_keys)
      if (p.value.HasMember(key.c_str()))
        check_responses(upper(key) + " " + p.name.GetString(),
                        p.value[key.c_str()]["responses"]);
  BOOST_REQUIRE(doc.HasMember("x-unrouted-responses"));
  check_responses("x-unrouted-responses", doc["x-unrouted-responses"]);
  BOOST_TEST(checked > 100u);
}

BOOST_AUTO_TEST_CASE(operations_that_need_the_token_refuse_requests_without) {
  // Answered before any actor is asked, so the table alone shows it.
  size_t guarded = 0;
  for (const auto& p : doc["paths"].GetObject()) {
    std::string path = p.name.GetString();
    for (const auto& key : operation_keys) {
      if (!p.value.HasMember(key.c_str()) || !needs_token(p.value[key.c_str()]))
        continue;
      ++guarded;
      auto r = http_request(upper(key), base + concrete(path));
      BOOST_TEST(r.status == 401, upper(key) << " " << path);
      if (key != "head")
        check_error(r, 401, "unauthorized", "requires an API token");
    }
  }
  BOOST_TEST(guarded >= 15u);
}

BOOST_AUTO_TEST_CASE(the_document_is_served_as_it_is_in_the_repository) {
  // Public, with a validator, the bytes of docs/openapi.json.
  auto r = http_get(base + "/api/openapi.json");
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.headers["content-type"] == "application/json; charset=utf-8");
  BOOST_TEST((r.body == text), "the embedded document is not the file");
  BOOST_TEST(r.headers["etag"] == web::etag_of(text));
  BOOST_TEST(web::api_contract().body == text);
  auto again = http_get(base + "/api/openapi.json",
                        {{"If-None-Match", r.headers["etag"]}});
  BOOST_TEST(again.status == 304);
  BOOST_TEST(again.body.empty());
  auto head = http_request("HEAD", base + "/api/openapi.json");
  BOOST_TEST(head.status == 200);
  BOOST_TEST(head.body.empty());
  BOOST_TEST(head.headers["content-length"] == std::to_string(text.size()));
  // Its version is this build's.
  BOOST_TEST(std::string{doc["info"]["version"].GetString()}
             == std::string{JOBSYNC_VERSION});
  BOOST_TEST(std::string{doc["openapi"].GetString()}.rfind("3.1.", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
