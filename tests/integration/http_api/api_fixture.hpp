#pragma once

#include "model/json.hpp"
#include "storage/job_store.hpp"
#include "tests/support/jobsyncd.hpp"

#include <boost/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

namespace jobsync::test {

/// A job for seeding a store.
inline job seed_job(const std::string& id, job_status status,
                    unix_ms created,
                    std::optional<std::string> provider = "replicate") {
  job x;
  x.job_id = id;
  x.external_id = provider ? id : "";
  x.provider = provider;
  x.type = provider ? job_type::cloud : job_type::local;
  x.status = status;
  x.created_at = format_rfc3339(created);
  return x;
}

/// Writes jobs into a data folder before the server opens it.
inline void seed_store(const std::string& dir, const std::vector<job>& jobs) {
  auto store = storage::job_store::open({dir, size_t{512} << 20});
  if (!store)
    BOOST_FAIL(store.error().detail);
  auto w = (*store)->begin_write();
  for (const auto& x : jobs)
    if (auto put = w->put(x); !put)
      BOOST_FAIL(put.error().detail);
  if (auto done = w->commit(); !done)
    BOOST_FAIL(done.error().detail);
}

/// Parses a response body, failing the test when it is not JSON.
inline rapidjson::Document json_of(const http_response& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body);
  return d;
}

/// Checks the API's error shape and code.
inline void check_error(http_response r, long status,
                        const std::string& code,
                        const std::string& detail_part = "") {
  BOOST_TEST(r.status == status, r.body);
  BOOST_TEST(r.headers["content-type"].find("application/json")
             != std::string::npos);
  auto d = json_of(r);
  BOOST_REQUIRE(d.IsObject());
  BOOST_REQUIRE(d.HasMember("detail") && d["detail"].IsString());
  BOOST_REQUIRE(d.HasMember("error") && d["error"].IsString());
  BOOST_TEST(std::string{d["error"].GetString()} == code, r.body);
  if (!detail_part.empty())
    BOOST_TEST(std::string{d["detail"].GetString()}.find(detail_part)
                 != std::string::npos,
               r.body);
}

/// The ids of a list response, in order.
inline std::vector<std::string> ids_of(const rapidjson::Document& d) {
  std::vector<std::string> ids;
  for (const auto& j : d["jobs"].GetArray())
    ids.emplace_back(j["job_id"].GetString());
  return ids;
}

} // namespace jobsync::test
