#include "support.hpp"

#include "config/settings.hpp"

namespace jobsync::test {

sim_fixture::sim_fixture() {
  process_ = std::make_unique<child_process>(
      std::vector<std::string>{REPLICATE_SIM_PATH, "--port", "0"});
  auto port = process_->wait_for_port();
  BOOST_REQUIRE_MESSAGE(port,
                        "replicate-sim did not start: " << process_->output());
  root = "http://127.0.0.1:" + std::to_string(*port);
  base = root + "/v1";
}

admin_answer sim_fixture::admin(const std::string& method,
                                const std::string& path,
                                const std::string& json) {
  std::map<std::string, std::string> headers;
  if (!json.empty())
    headers["Content-Type"] = "application/json";
  auto r = http_request(method, root + "/_admin/" + path, json, headers);
  BOOST_REQUIRE_MESSAGE(r.status >= 200 && r.status < 300,
                        method << " /_admin/" << path << " " << json
                               << " answered " << r.status << " " << r.body
                               << r.error);
  admin_answer out;
  out.status = r.status;
  out.body = r.body;
  if (!r.body.empty())
    out.json.Parse(r.body.data(), r.body.size());
  return out;
}

admin_answer sim_fixture::admin_post(const std::string& path,
                                     const std::string& json) {
  return admin("POST", path, json);
}

admin_answer sim_fixture::admin_get(const std::string& path) {
  return admin("GET", path, {});
}

admin_answer sim_fixture::admin_delete(const std::string& path) {
  return admin("DELETE", path, {});
}

std::vector<std::string> sim_fixture::create_jobs(const std::string& json) {
  auto r = admin_post("jobs", json);
  BOOST_REQUIRE_MESSAGE(r.json.IsObject() && r.json.HasMember("ids")
                            && r.json["ids"].IsArray(),
                        "no ids in " << r.body);
  std::vector<std::string> ids;
  for (auto& id : r.json["ids"].GetArray())
    ids.emplace_back(id.GetString(), id.GetStringLength());
  return ids;
}

void sim_fixture::fault(const std::string& json) {
  admin_post("faults", json);
}

int64_t sim_fixture::request_count(const std::string& endpoint) {
  auto r = admin_get("stats");
  BOOST_REQUIRE(r.json.IsObject() && r.json.HasMember("requests"));
  auto& requests = r.json["requests"];
  auto i = requests.FindMember(endpoint.c_str());
  if (i == requests.MemberEnd() || !i->value.IsInt64())
    return 0;
  return i->value.GetInt64();
}

providers::provider_options sim_fixture::config() const {
  config::provider_settings defaults;
  providers::provider_options cfg;
  cfg.name = "replicate";
  cfg.resource = defaults.resource;
  cfg.pricing = {defaults.default_hardware, defaults.hardware_prices,
                 defaults.hardware_names, defaults.model_hardware};
  cfg.api_base_url = base;
  cfg.api_token = "r8_sim_token";
  cfg.request_timeout = std::chrono::seconds{30};
  cfg.connect_timeout = std::chrono::seconds{10};
  cfg.max_concurrency = 4;
  return cfg;
}

} // namespace jobsync::test
