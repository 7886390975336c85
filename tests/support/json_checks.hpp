#pragma once

#include "tests/support/http.hpp"

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace jobsync::test {

/// Parses a response body, failing the test when it is not JSON.
inline rapidjson::Document json_of(const http_response& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body);
  return d;
}

/// Checks the API's error shape and code.
inline void check_error(http_response r, long status, const std::string& code,
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
