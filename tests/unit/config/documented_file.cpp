#include "fixture.hpp"

#include "config/key_table.hpp"
#include "config/validate.hpp"
#include "config/yaml_source.hpp"

#include <fstream>
#include <set>

using namespace jobsync::config;
using namespace jobsync::config::test;

namespace {

const std::string documented = JOBSYNC_CONFIG_DIR "/jobsync.yaml";

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in{path};
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}

bool is_comment(const std::string& line) {
  auto first = line.find_first_not_of(' ');
  return first != std::string::npos && line[first] == '#';
}

} // namespace

BOOST_AUTO_TEST_SUITE(documented_config_file)

BOOST_AUTO_TEST_CASE(jobsync_yaml_sets_every_key_of_the_table) {
  settings s;
  origins from;
  auto found = apply_yaml_file(documented, s, from);
  REQUIRE_OK(found);
  std::set<std::string> paths;
  for (auto& x : *found)
    paths.insert(x.path);
  for (auto& k : keys())
    BOOST_TEST(paths.count(k.path) == 1u,
               k.path << " is not in " << documented);
}

BOOST_AUTO_TEST_CASE(jobsync_yaml_holds_exactly_the_built_in_defaults) {
  settings s;
  origins from;
  auto found = apply_yaml_file(documented, s, from);
  REQUIRE_OK(found);
  BOOST_TEST(render_yaml(s, false) == render_yaml(settings{}, false));
  // And run.sh's way of loading it (with flags and checks) agrees.
  auto r = load({"--config", documented});
  REQUIRE_OK(r);
  BOOST_TEST(same(r->settings, settings{}));
}

BOOST_AUTO_TEST_CASE(every_key_in_jobsync_yaml_has_a_comment) {
  // A key is documented by a comment on its line or right above it.
  settings s;
  origins from;
  auto found = apply_yaml_file(documented, s, from);
  REQUIRE_OK(found);
  auto lines = read_lines(documented);
  for (auto& [path, line] : *found) {
    BOOST_REQUIRE(line >= 1 && line <= static_cast<int>(lines.size()));
    auto index = static_cast<size_t>(line - 1);
    auto documented_here = lines[index].find(" #") != std::string::npos
                           || (index > 0 && is_comment(lines[index - 1]));
    BOOST_TEST(documented_here,
               path << " (line " << line << ") has no comment");
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(key_table)

BOOST_AUTO_TEST_CASE(the_built_in_defaults_are_valid) {
  auto valid = validate(settings{});
  BOOST_TEST(static_cast<bool>(valid), (valid ? "" : valid.error().detail));
}

BOOST_AUTO_TEST_CASE(validate_rejects_settings_built_with_bad_values) {
  settings s;
  s.server.threads = 0;
  auto valid = validate(s);
  BOOST_REQUIRE(!valid);
  BOOST_TEST(valid.error().detail.find("server.threads") != std::string::npos);
  settings t;
  t.events.heartbeat_seconds = t.server.request_timeout_seconds;
  BOOST_TEST(!validate(t));
}

BOOST_AUTO_TEST_CASE(every_key_has_a_doc_and_an_accessor) {
  for (auto& k : keys()) {
    BOOST_TEST(!k.doc.empty(), k.path);
    if (k.is_map())
      BOOST_TEST((k.assign_map && k.entries && !k.assign && !k.text), k.path);
    else
      BOOST_TEST((k.assign && k.text && !k.assign_map && !k.entries), k.path);
  }
}

BOOST_AUTO_TEST_CASE(environment_names_and_flags_are_unique) {
  std::set<std::string> names;
  std::set<std::string> flags;
  for (auto& k : keys()) {
    BOOST_TEST(names.insert(k.env_name()).second, k.env_name());
    for (auto& alias : k.env_aliases)
      BOOST_TEST(names.insert(alias).second, alias);
    if (!k.flag.empty())
      BOOST_TEST(flags.insert(k.flag).second, k.flag);
  }
  BOOST_TEST(find_key("server.port")->env_name() == "JOBSYNC_SERVER_PORT");
  BOOST_TEST(find_key("providers.replicate.api_base_url")->env_name()
             == "JOBSYNC_PROVIDERS_REPLICATE_API_BASE_URL");
  BOOST_TEST(
      find_key("background.job_status_polling.interval_seconds")->env_name()
      == "JOBSYNC_BACKGROUND_JOB_STATUS_POLLING_INTERVAL_SECONDS");
}

BOOST_AUTO_TEST_CASE(every_scalar_default_reads_back_unchanged) {
  for (auto& k : keys()) {
    if (k.is_map())
      continue;
    settings s;
    auto text = k.text(s);
    BOOST_TEST(!k.assign(s, text).has_value(), k.path);
    BOOST_TEST(k.text(s) == text, k.path);
  }
}

BOOST_AUTO_TEST_CASE(only_secrets_are_secret) {
  std::set<std::string> secret;
  for (auto& k : keys())
    if (k.secret)
      secret.insert(k.path);
  BOOST_TEST(
      (secret
       == std::set<std::string>{"server.api_token", "storage.postgres.url",
                                "providers.replicate.api_token",
                                "providers.replicate.webhook_secret",
                                "providers.local.api_key"}));
}

BOOST_AUTO_TEST_SUITE_END()
