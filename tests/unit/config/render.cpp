#include "fixture.hpp"

#include "config/key_table.hpp"
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
