#include "fixture.hpp"

#include "config/key_table.hpp"
#include "config/mask.hpp"
#include "config/usage.hpp"
#include "config/yaml_source.hpp"

using namespace jobsync::config;
using namespace jobsync::config::test;

BOOST_AUTO_TEST_SUITE(render_yaml_and_usage)

BOOST_AUTO_TEST_CASE(print_config_masks_secrets_that_are_set) {
  auto r = load({"--print-config", "--set", "server.api_token=s3cret-api"},
                {{"REPLICATE_API_TOKEN", "r8_s3cret"},
                 {"REPLICATE_WEBHOOK_SECRET", "whsec_s3cret"}});
  REQUIRE_OK(r);
  auto text = render_yaml(r->settings, true);
  BOOST_TEST(text.find("s3cret") == std::string::npos);
  BOOST_TEST(text.find("  api_token: \"***\"") != std::string::npos);
  BOOST_TEST(text.find("    api_token: \"***\"") != std::string::npos);
  BOOST_TEST(text.find("    webhook_secret: \"***\"") != std::string::npos);
  // Unmasked, the values are there.
  auto plain = render_yaml(r->settings, false);
  BOOST_TEST(plain.find("\"r8_s3cret\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(print_config_shows_a_database_url_without_its_password) {
  auto r = load({"--print-config", "--set",
                 "storage.postgres.url=postgresql://app:pa55@db:5432/"
                 "jobs?sslmode=require&password=pa55"});
  REQUIRE_OK(r);
  auto text = render_yaml(r->settings, true);
  BOOST_TEST(text.find("pa55") == std::string::npos);
  BOOST_TEST(text.find("    url: \"postgresql://app:***@db:5432/"
                       "jobs?sslmode=require&password=***\"")
                 != std::string::npos,
             text);
}

BOOST_AUTO_TEST_CASE(passwords_are_masked_in_every_libpq_form) {
  BOOST_TEST(mask_password("host=db password=s3cret dbname=jobs")
             == "host=db password=*** dbname=jobs");
  BOOST_TEST(mask_password("host=db password = 'it\\'s a secret' user=x")
             == "host=db password = *** user=x");
  BOOST_TEST(mask_password("host=db password='a b' user=x")
             == "host=db password=*** user=x");
  BOOST_TEST(mask_password("postgres://u:p@h/d") == "postgres://u:***@h/d");
  // No password: nothing changes (a port is not a password).
  BOOST_TEST(mask_password("postgresql://u@h:5432/d")
             == "postgresql://u@h:5432/d");
  BOOST_TEST(mask_password("host=db mypassword_hint=x")
             == "host=db mypassword_hint=x");
  BOOST_TEST(mask_password("dbname=jobs") == "dbname=jobs");
}

BOOST_AUTO_TEST_CASE(a_postgres_backend_needs_a_url) {
  auto r = load({"--set", "storage.backend=postgres"});
  BOOST_REQUIRE(!r);
  BOOST_TEST(r.error().detail.find("storage.postgres.url") != std::string::npos,
             r.error().detail);
  REQUIRE_OK(load({"--set", "storage.backend=postgres", "--set",
                   "storage.postgres.url=dbname=jobs"}));
}

BOOST_AUTO_TEST_CASE(unset_secrets_print_as_empty_not_masked) {
  auto text = render_yaml(settings{}, true);
  BOOST_TEST(text.find("***") == std::string::npos);
  BOOST_TEST(text.find("  api_token: \"\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rendered_yaml_loads_back_into_the_same_settings) {
  auto r = load_yaml(R"(
server: {host: "0.0.0.0", port: 1, api_token: "a \"quoted\" \\ token"}
providers:
  replicate:
    hardware_prices: {"odd key": 1.5e-05, gpu-l40s: 0.000972222}
    hardware_names: {"odd key": "yes", gpu-l40s: "L40S"}
    model_hardware: {acme/x: "odd key"}
    default_hardware: "odd key"
web: {assets_dir: "/srv/web"}
)");
  REQUIRE_OK(r);
  auto text = render_yaml(r->settings, false);
  settings back;
  origins from;
  auto applied = apply_yaml_text(text, "rendered", back, from);
  REQUIRE_OK(applied);
  BOOST_TEST(same(back, r->settings), text);
  BOOST_TEST(back.providers.at("replicate").hardware_prices.at("odd key")
             == 1.5e-05);
  BOOST_TEST(back.server.api_token == "a \"quoted\" \\ token");
}

BOOST_AUTO_TEST_CASE(the_rendered_defaults_set_every_key) {
  settings back;
  origins from;
  auto applied
      = apply_yaml_text(render_yaml(settings{}, false), "rendered", back, from);
  REQUIRE_OK(applied);
  BOOST_TEST(applied->size() == keys().size());
}

BOOST_AUTO_TEST_CASE(help_lists_the_flags_the_environment_rules_and_keys) {
  auto text = usage_text("jobsyncd");
  for (auto x : {"--config PATH", "--port PORT", "--host HOST",
                 "--data-dir PATH", "--set KEY=VALUE", "--print-config",
                 "--help", "--version", "JOBSYNC_SERVER_PORT",
                 "REPLICATE_API_TOKEN", "REPLICATE_WEBHOOK_SECRET",
                 "SIMPLETUNER_JOB_POLL_INTERVAL", "JOBSYNC_POLL_INTERVAL"})
    BOOST_TEST(text.find(x) != std::string::npos, x);
  for (auto& k : keys())
    BOOST_TEST(text.find("  " + k.path + " = ") != std::string::npos, k.path);
}

BOOST_AUTO_TEST_SUITE_END()
