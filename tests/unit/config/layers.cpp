#include "fixture.hpp"

using namespace jobsync::config;
using namespace jobsync::config::test;

BOOST_AUTO_TEST_SUITE(loader_layers)

BOOST_AUTO_TEST_CASE(no_file_no_environment_no_flags_gives_the_defaults) {
  auto r = load({});
  REQUIRE_OK(r);
  BOOST_TEST(same(r->settings, settings{}));
  BOOST_TEST(r->settings.server.port == 8080);
  BOOST_TEST(r->settings.server.host == "127.0.0.1");
  BOOST_TEST(r->settings.storage.path == "./data");
  BOOST_TEST((r->settings.polling.enabled == polling_mode::automatic));
  BOOST_TEST(r->settings.polling.interval_seconds == 30);
  BOOST_TEST(r->settings.providers.at("replicate").api_base_url
             == "https://api.replicate.com/v1");
  BOOST_TEST((r->action == action::run));
  BOOST_TEST(!r->config_path);
  BOOST_TEST(r->warnings.empty());
}

BOOST_AUTO_TEST_CASE(a_file_overrides_the_defaults_it_names_only) {
  auto r = load_yaml(R"(
server:
  port: 9090
  host: 0.0.0.0
background:
  job_status_polling:
    enabled: false
    interval_seconds: 7
providers:
  replicate:
    api_base_url: http://localhost:5000/v1/
    resource: trainings
    hardware_prices: {gpu-a100: 0.0014}
    default_hardware: gpu-a100
    model_hardware:
      acme/trainer: gpu-a100
events:
  heartbeat_seconds: 5
webhooks:
  allow_unsigned: yes
)");
  REQUIRE_OK(r);
  auto& s = r->settings;
  BOOST_TEST(s.server.port == 9090);
  BOOST_TEST(s.server.host == "0.0.0.0");
  BOOST_TEST((s.polling.enabled == polling_mode::off));
  BOOST_TEST(s.polling.interval_seconds == 7);
  // The trailing slash is dropped so paths can be appended.
  BOOST_TEST(s.providers.at("replicate").api_base_url
             == "http://localhost:5000/v1");
  BOOST_TEST(s.providers.at("replicate").resource == "trainings");
  // A mapping replaces the built-in entries instead of merging with them.
  BOOST_TEST(s.providers.at("replicate").hardware_prices.size() == 1u);
  BOOST_TEST(s.providers.at("replicate").hardware_prices.at("gpu-a100")
             == 0.0014);
  BOOST_TEST(s.providers.at("replicate").model_hardware.at("acme/trainer")
             == "gpu-a100");
  BOOST_TEST(s.events.heartbeat_seconds == 5);
  BOOST_TEST(s.webhooks.allow_unsigned);
  // Untouched keys keep their defaults.
  BOOST_TEST(s.server.threads == 2);
  BOOST_TEST(s.storage.map_size_mb == 4096u);
  BOOST_TEST(r->config_path.has_value());
}

BOOST_AUTO_TEST_CASE(an_empty_file_or_empty_sections_change_nothing) {
  auto empty = load_yaml("");
  REQUIRE_OK(empty);
  BOOST_TEST(same(empty->settings, settings{}));
  auto sections = load_yaml("server:\nevents:\n# only comments\n");
  REQUIRE_OK(sections);
  BOOST_TEST(same(sections->settings, settings{}));
}

BOOST_AUTO_TEST_CASE(polling_enabled_accepts_auto_and_yaml_booleans) {
  for (auto [text, mode] :
       {std::pair{"auto", polling_mode::automatic},
        std::pair{"true", polling_mode::on},
        std::pair{"false", polling_mode::off},
        std::pair{"yes", polling_mode::on}, std::pair{"off", polling_mode::off},
        std::pair{"True", polling_mode::on}}) {
    auto r = load_yaml(std::string{"background:\n  job_status_polling:\n"
                                   "    enabled: "}
                       + text + "\n");
    REQUIRE_OK(r);
    BOOST_TEST((r->settings.polling.enabled == mode), text);
  }
}

BOOST_AUTO_TEST_CASE(the_environment_overrides_the_file) {
  auto r = load_yaml(
      "server:\n  port: 9090\n  threads: 4\n", {},
      {{"JOBSYNC_SERVER_PORT", "7070"},
       {"JOBSYNC_PROVIDERS_REPLICATE_API_BASE_URL", "http://sim:1/v1"},
       {"JOBSYNC_BACKGROUND_JOB_STATUS_POLLING_ENABLED", "true"},
       {"JOBSYNC_BACKGROUND_JOB_STATUS_POLLING_INTERVAL_SECONDS", "12"},
       {"JOBSYNC_WEBHOOKS_ALLOW_UNSIGNED", "on"},
       {"HOME", "/root"}});
  REQUIRE_OK(r);
  auto& s = r->settings;
  BOOST_TEST(s.server.port == 7070);
  BOOST_TEST(s.server.threads == 4);
  BOOST_TEST(s.providers.at("replicate").api_base_url == "http://sim:1/v1");
  BOOST_TEST((s.polling.enabled == polling_mode::on));
  BOOST_TEST(s.polling.interval_seconds == 12);
  BOOST_TEST(s.webhooks.allow_unsigned);
  BOOST_TEST(r->warnings.empty());
}

BOOST_AUTO_TEST_CASE(empty_environment_variables_count_as_unset) {
  auto r
      = load_yaml("providers:\n  replicate:\n    api_token: from-file\n", {},
                  {{"REPLICATE_API_TOKEN", ""}, {"JOBSYNC_SERVER_PORT", ""}});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.providers.at("replicate").api_token == "from-file");
  BOOST_TEST(r->settings.server.port == 8080);
}

BOOST_AUTO_TEST_CASE(flags_override_the_environment) {
  auto r = load_yaml("server:\n  port: 9090\n",
                     {"--port", "6060", "--host=::1", "--data-dir", "/tmp/x",
                      "--set", "events.retry_ms=500",
                      "--set=providers.replicate.api_token=flag-token"},
                     {{"JOBSYNC_SERVER_PORT", "7070"},
                      {"JOBSYNC_SERVER_HOST", "10.0.0.1"},
                      {"JOBSYNC_STORAGE_PATH", "/env"},
                      {"JOBSYNC_EVENTS_RETRY_MS", "900"},
                      {"REPLICATE_API_TOKEN", "env-token"}});
  REQUIRE_OK(r);
  auto& s = r->settings;
  BOOST_TEST(s.server.port == 6060);
  BOOST_TEST(s.server.host == "::1");
  BOOST_TEST(s.storage.path == "/tmp/x");
  BOOST_TEST(s.events.retry_ms == 500);
  BOOST_TEST(s.providers.at("replicate").api_token == "flag-token");
}

BOOST_AUTO_TEST_CASE(later_flags_win_over_earlier_ones) {
  auto r = load({"--port", "1", "--set", "server.port=2", "--port=3"});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.server.port == 3);
  auto cleared = load({"--set", "providers.replicate.api_token="},
                      {{"REPLICATE_API_TOKEN", "env-token"}});
  REQUIRE_OK(cleared);
  BOOST_TEST(cleared->settings.providers.at("replicate").api_token.empty());
}

BOOST_AUTO_TEST_CASE(the_seed_environment_names_are_read) {
  auto r = load({}, {{"SIMPLETUNER_JOB_POLL_INTERVAL", "45"},
                     {"REPLICATE_API_TOKEN", "r8_token"},
                     {"REPLICATE_WEBHOOK_SECRET", "whsec_abc"}});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.polling.interval_seconds == 45);
  BOOST_TEST(r->settings.providers.at("replicate").api_token == "r8_token");
  BOOST_TEST(r->settings.providers.at("replicate").webhook_secret
             == "whsec_abc");
}

BOOST_AUTO_TEST_CASE(jobsync_poll_interval_wins_over_the_simpletuner_name) {
  auto r = load({}, {{"SIMPLETUNER_JOB_POLL_INTERVAL", "45"},
                     {"JOBSYNC_POLL_INTERVAL", "20"}});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.polling.interval_seconds == 20);
}

BOOST_AUTO_TEST_CASE(explicit_jobsync_names_win_over_the_seed_names) {
  auto r = load(
      {},
      {{"SIMPLETUNER_JOB_POLL_INTERVAL", "45"},
       {"JOBSYNC_POLL_INTERVAL", "20"},
       {"JOBSYNC_BACKGROUND_JOB_STATUS_POLLING_INTERVAL_SECONDS", "9"},
       {"REPLICATE_API_TOKEN", "seed"},
       {"JOBSYNC_PROVIDERS_REPLICATE_API_TOKEN", "explicit"},
       {"REPLICATE_WEBHOOK_SECRET", "whsec_c2VlZA=="},
       {"JOBSYNC_PROVIDERS_REPLICATE_WEBHOOK_SECRET", "whsec_ZXhwbGljaXQ="}});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.polling.interval_seconds == 9);
  BOOST_TEST(r->settings.providers.at("replicate").api_token == "explicit");
  BOOST_TEST(r->settings.providers.at("replicate").webhook_secret
             == "whsec_ZXhwbGljaXQ=");
}

BOOST_AUTO_TEST_CASE(seed_names_override_the_file_too) {
  auto r = load_yaml("background:\n  job_status_polling:\n"
                     "    interval_seconds: 60\n",
                     {}, {{"SIMPLETUNER_JOB_POLL_INTERVAL", "45"}});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.polling.interval_seconds == 45);
}

BOOST_AUTO_TEST_CASE(unknown_jobsync_variables_are_warned_about_not_fatal) {
  auto r = load({}, {{"JOBSYNC_SERVER_PROT", "1"}, {"PATH", "/bin"}});
  REQUIRE_OK(r);
  BOOST_REQUIRE(r->warnings.size() == 1u);
  BOOST_TEST(r->warnings[0].find("JOBSYNC_SERVER_PROT") != std::string::npos);
  BOOST_TEST(r->warnings[0].find("did you mean JOBSYNC_SERVER_PORT")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(help_and_version_read_nothing_but_the_command_line) {
  // A missing file and a bad variable would fail a real load.
  environment bad{{"JOBSYNC_SERVER_PORT", "x"}};
  for (auto flag : {"--help", "-h"}) {
    auto r = load({"--config", "/nonexistent.yaml", flag}, bad);
    REQUIRE_OK(r);
    BOOST_TEST((r->action == action::help));
  }
  auto v = load({"--version", "--config", "/nonexistent.yaml"}, bad);
  REQUIRE_OK(v);
  BOOST_TEST((v->action == action::version));
}

BOOST_AUTO_TEST_CASE(print_config_loads_everything_and_says_so) {
  auto r = load({"--print-config", "--port", "1234"});
  REQUIRE_OK(r);
  BOOST_TEST((r->action == action::print_config));
  BOOST_TEST(r->settings.server.port == 1234);
  auto bad = load({"--print-config"}, {{"JOBSYNC_SERVER_PORT", "x"}});
  BOOST_TEST(!bad);
}

BOOST_AUTO_TEST_CASE(the_test_config_loads) {
  auto r = load({"--config", JOBSYNC_CONFIG_DIR "/test.yaml"});
  REQUIRE_OK(r);
  BOOST_TEST(r->settings.server.port == 0);
  BOOST_TEST(r->settings.polling.interval_seconds == 1);
  BOOST_TEST(r->settings.events.heartbeat_seconds
             < r->settings.server.request_timeout_seconds);
}

BOOST_AUTO_TEST_SUITE_END()
