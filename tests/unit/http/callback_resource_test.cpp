// Who may report to POST /callback, and what is refused before any actor
// is asked: a fake exchange stands for the request, so the client address
// can be anything (the integration tests can only connect over loopback).

#include "http/auth.hpp"
#include "http/callback_resource.hpp"

#include <boost/test/unit_test.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <rapidjson/document.h>

#include <map>

using namespace jobsync;
using namespace jobsync::http;

namespace {

class fake_exchange : public exchange {
public:
  std::map<std::string, std::string> headers;
  std::optional<response> answer;

  std::optional<std::string> header(std::string_view name) const override {
    auto i = headers.find(std::string{name});
    if (i == headers.end())
      return std::nullopt;
    return i->second;
  }

  void respond(response r) override {
    if (!answer)
      answer = std::move(r);
  }

  std::shared_ptr<stream>
  open_stream(std::vector<std::pair<std::string, std::string>>,
              std::function<void()>) override {
    return nullptr;
  }

  bool answered() const override {
    return answer.has_value();
  }
};

struct callback_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};

  // Runs the handler with no actors behind it: every case here must be
  // answered before one would be asked.
  response post(const std::string& api_key, const std::string& address,
                std::map<std::string, std::string> headers,
                const std::string& body = R"({"job_id": "j"})") {
    api_config c;
    c.callbacks.api_key = api_key;
    auto a = std::make_shared<const api>(sys, c, api_actors{});
    auto ex = std::make_shared<fake_exchange>();
    ex->method = "POST";
    ex->path = "/callback";
    ex->remote_address = address;
    ex->headers = std::move(headers);
    ex->body = body;
    receive_trainer_report(a)(ex);
    BOOST_REQUIRE(ex->answer);
    return *ex->answer;
  }
};

std::string error_code(const response& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  BOOST_REQUIRE(!d.HasParseError() && d.IsObject() && d.HasMember("error"));
  BOOST_REQUIRE(d.HasMember("detail") && d["detail"].IsString());
  return d["error"].GetString();
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(callback_receiver, callback_fixture)

BOOST_AUTO_TEST_CASE(without_a_key_other_machines_are_forbidden) {
  for (auto address :
       {"192.0.2.7", "10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "2001:db8::1"}) {
    auto r = post("", address, {});
    BOOST_TEST(r.status == 403, address);
    BOOST_TEST(error_code(r) == "forbidden");
  }
}

BOOST_AUTO_TEST_CASE(with_a_key_every_report_must_carry_it) {
  auto missing = post("s3cret", "127.0.0.1", {});
  BOOST_TEST(missing.status == 401);
  BOOST_TEST(error_code(missing) == "unauthorized");
  auto wrong = post("s3cret", "192.0.2.7", {{"x-api-key", "s3cre"}});
  BOOST_TEST(wrong.status == 401);
  BOOST_TEST(wrong.body.find("not valid") != std::string::npos);
  // The right key from anywhere gets past the check (here to the body
  // check, which refuses an array).
  auto right = post("s3cret", "192.0.2.7", {{"x-api-key", "s3cret"}}, "[]");
  BOOST_TEST(right.status == 400);
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_a_report_is_400) {
  for (std::string body : {"", "[]", "not json", "{\"job_id\": \"a\nb\"}"}) {
    auto r = post("", "127.0.0.1", {}, body);
    BOOST_TEST(r.status == 400, body);
    BOOST_TEST(error_code(r) == "bad_request");
  }
}

BOOST_AUTO_TEST_CASE(loopback_addresses_are_recognized) {
  for (auto address : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"})
    BOOST_TEST(is_loopback(address), address);
  for (auto address :
       {"", "128.0.0.1", "10.127.0.1", "::2", "::ffff:10.0.0.1", "1.127.0.0"})
    BOOST_TEST(!is_loopback(address), address);
}

BOOST_AUTO_TEST_SUITE_END()
