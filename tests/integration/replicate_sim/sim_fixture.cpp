#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include "model/json.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

namespace jobsync::test {

sim_process::sim_process(std::vector<std::string> extra) {
  std::vector<std::string> argv{
      REPLICATE_SIM_PATH, "--port", "0", "--speed", "0", "--seed", "7",
      "--start-time",     sim_start};
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<child_process>(argv);
  auto port = process_->wait_for_port();
  if (!port)
    throw std::runtime_error("replicate-sim did not start: "
                             + process_->output());
  port_ = *port;
  root_ = "http://127.0.0.1:" + std::to_string(port_);
}

http_response
sim_process::api(const std::string& method, const std::string& path,
                 const std::string& body,
                 std::map<std::string, std::string> headers) const {
  headers.emplace("Authorization", "Bearer " + sim_token);
  if (!body.empty())
    headers.emplace("Content-Type", "application/json");
  return http_request(method, base() + path, body, headers);
}

http_response sim_process::get_url(const std::string& url) const {
  return http_request("GET", url, {},
                      {{"Authorization", "Bearer " + sim_token}});
}

http_response sim_process::admin(const std::string& method,
                                 const std::string& path,
                                 const std::string& body) const {
  std::map<std::string, std::string> headers;
  if (!body.empty())
    headers.emplace("Content-Type", "application/json");
  return http_request(method, root_ + "/_admin" + path, body, headers);
}

std::vector<std::string>
sim_process::create_jobs(const std::string& body) const {
  auto r = admin("POST", "/jobs", body);
  BOOST_REQUIRE_MESSAGE(r.status == 200,
                        "admin create: " << r.status << " " << r.body);
  auto doc = parse_json(r.body);
  std::vector<std::string> ids;
  for (auto& id : doc["ids"].GetArray())
    ids.emplace_back(id.GetString());
  return ids;
}

std::string sim_process::create_prediction(
    const std::string& extra_fields,
    std::map<std::string, std::string> headers) const {
  std::string body = R"({"version":"simpletuner/advanced-trainer-h100",)"
                     R"("input":{"config_json":"{}"})"
                     + (extra_fields.empty() ? "" : "," + extra_fields) + "}";
  auto r = api("POST", "/predictions", body, std::move(headers));
  BOOST_REQUIRE_MESSAGE(r.status == 201,
                        "create: " << r.status << " " << r.body);
  return str(parse_json(r.body), "id");
}

rapidjson::Document sim_process::job(const std::string& id) const {
  auto r = admin("GET", "/jobs/" + id);
  BOOST_REQUIRE_MESSAGE(r.status == 200,
                        "admin get " << id << ": " << r.status);
  return parse_json(r.body);
}

void sim_process::advance_clock(double seconds) const {
  auto r = admin("POST", "/clock",
                 "{\"advance_seconds\":" + std::to_string(seconds) + "}");
  BOOST_REQUIRE_MESSAGE(r.status == 200, "clock: " << r.body);
}

long sim_process::advance(const std::string& id, const std::string& to) const {
  return admin("POST", "/jobs/" + id + "/advance", R"({"to":")" + to + "\"}")
      .status;
}

rapidjson::Document sim_process::stats() const {
  auto r = admin("GET", "/stats");
  BOOST_REQUIRE(r.status == 200);
  return parse_json(r.body);
}

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  BOOST_REQUIRE_MESSAGE(!doc.HasParseError(), "invalid JSON: " << text);
  return doc;
}

std::string type_of(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject())
    return "not an object";
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd())
    return "missing";
  auto& v = i->value;
  if (v.IsNull())
    return "null";
  if (v.IsBool())
    return "bool";
  if (v.IsNumber())
    return "number";
  if (v.IsString())
    return "string";
  if (v.IsArray())
    return "array";
  return "object";
}

std::string str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject())
    return {};
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd() || !i->value.IsString())
    return {};
  return {i->value.GetString(), i->value.GetStringLength()};
}

std::string text_of(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject())
    return "<not an object>";
  auto i = obj.FindMember(key);
  if (i == obj.MemberEnd())
    return "<missing>";
  return to_json_text(i->value);
}

std::vector<std::string> walk_pages(const sim_process& sim,
                                    const std::string& first_url,
                                    std::vector<size_t>* page_sizes) {
  std::vector<std::string> ids;
  std::string url = first_url;
  for (int pages = 0; !url.empty() && pages < 1000; ++pages) {
    auto r = sim.get_url(url);
    BOOST_REQUIRE_MESSAGE(r.status == 200, url << ": " << r.status);
    auto doc = parse_json(r.body);
    for (auto& j : doc["results"].GetArray())
      ids.push_back(str(j, "id"));
    if (page_sizes)
      page_sizes->push_back(doc["results"].Size());
    url = str(doc, "next");
  }
  return ids;
}

int fraction_digits(const std::string& timestamp) {
  auto dot = timestamp.find('.');
  if (dot == std::string::npos)
    return 0;
  auto end = timestamp.find_first_not_of("0123456789", dot + 1);
  return static_cast<int>(end - dot - 1);
}

} // namespace jobsync::test
