#pragma once

#include "tests/support/http.hpp"

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

namespace jobsync::test {

/// Parses a response body, failing the test when it is not JSON.
inline rapidjson::Document json_of(const http_response& r) {
  rapidjson::Document d;
  // JSON is UTF-8 (RFC 8259); RapidJSON lets other bytes through unless told.
  d.Parse<rapidjson::kParseValidateEncodingFlag>(r.body.c_str());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body);
  return d;
}

/// A value as compact JSON, for failure messages.
inline std::string json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

/// The member `key` of `object`, failing the test (with the object in the
/// message) when it is absent: rapidjson's unchecked access would hand back
/// a null, and GetString on it throws far from the cause.
inline const rapidjson::Value& required_member(const rapidjson::Value& object,
                                               const char* key) {
  BOOST_REQUIRE_MESSAGE(object.IsObject() && object.HasMember(key),
                        "no member '" << key << "' in " << json_text(object));
  return object[key];
}

/// The string member `key` of `object`, failing the test when it is absent
/// or not a string.
inline std::string required_text(const rapidjson::Value& object,
                                 const char* key) {
  const auto& v = required_member(object, key);
  BOOST_REQUIRE_MESSAGE(v.IsString(), "member '" << key
                                                 << "' is not a string in "
                                                 << json_text(object));
  return {v.GetString(), v.GetStringLength()};
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
