#include "fixture.hpp"

using namespace jobsync::config;
using namespace jobsync::config::test;

// Every failure must name the key (or flag) and where the value came from,
// so the user can fix it without reading the source.

BOOST_AUTO_TEST_SUITE(loader_errors)

BOOST_AUTO_TEST_CASE(an_unknown_top_level_key_is_named_with_its_line) {
  temp_yaml file{"server:\n  port: 1\nserverr:\n  port: 2\n"};
  auto r = load({"--config", file.path()});
  check_error(
      r, {file.path() + ":3:", "unknown key serverr", "did you mean server?"});
}

BOOST_AUTO_TEST_CASE(an_unknown_nested_key_is_named_by_its_full_path) {
  temp_yaml file{"server:\n  prot: 1\n"};
  check_error(load({"--config", file.path()}),
              {file.path() + ":2:3", "unknown key server.prot",
               "did you mean server.port?"});
  check_error(load_yaml("background:\n  job_status_polling:\n"
                        "    interval: 5\n"),
              {"unknown key background.job_status_polling.interval"});
}

BOOST_AUTO_TEST_CASE(an_unknown_provider_is_an_unknown_key) {
  check_error(
      load_yaml("providers:\n  openai:\n    enabled: true\n"),
      {"unknown key providers.openai", "the keys of providers are replicate"});
}

BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_type_is_rejected) {
  check_error(
      load_yaml("server:\n  port: abc\n"),
      {"server.port", "expected an integer from 0 to 65535", "\"abc\""});
  check_error(load_yaml("server:\n  port: [1, 2]\n"),
              {"server.port", "expected a single value, got a list"});
  check_error(load_yaml("server:\n  threads:\n"),
              {"server.threads", "missing value"});
  check_error(load_yaml("server: 5\n"),
              {"server", "expected a section of keys"});
  check_error(load_yaml("webhooks:\n  allow_unsigned: maybe\n"),
              {"webhooks.allow_unsigned", "expected true or false"});
  check_error(load_yaml("server:\n  host: {a: b}\n"),
              {"server.host", "got a mapping"});
  check_error(load_yaml("- server\n"), {"top level"});
  check_error(load_yaml("providers:\n  replicate:\n"
                        "    hardware_prices: [1]\n"),
              {"providers.replicate.hardware_prices", "expected a mapping"});
  check_error(load_yaml("providers:\n  replicate:\n"
                        "    hardware_prices: {gpu-l40s: cheap}\n"),
              {"providers.replicate.hardware_prices", "\"gpu-l40s\"",
               "expected a number"});
}

BOOST_AUTO_TEST_CASE(a_value_out_of_range_is_rejected) {
  check_error(load_yaml("server:\n  port: 65536\n"),
              {"server.port", "from 0 to 65535", "65536"});
  check_error(load_yaml("server:\n  port: -1\n"), {"server.port"});
  check_error(load_yaml("server:\n  threads: 0\n"),
              {"server.threads", "from 1 to 64"});
  check_error(load_yaml("server:\n  threads: 65\n"), {"server.threads"});
  check_error(load_yaml("background:\n  job_status_polling:\n"
                        "    interval_seconds: 0\n"),
              {"background.job_status_polling.interval_seconds"});
  check_error(load_yaml("providers:\n  replicate:\n    sync_limit: 0\n"),
              {"providers.replicate.sync_limit"});
  check_error(load_yaml("events:\n  replay_buffer: 99999999999999999999\n"),
              {"events.replay_buffer"});
  check_error(load_yaml("storage:\n  path: \"\"\n"),
              {"storage.path", "must not be empty"});
}

BOOST_AUTO_TEST_CASE(a_value_outside_its_list_is_rejected) {
  check_error(load_yaml("background:\n  job_status_polling:\n"
                        "    enabled: sometimes\n"),
              {"background.job_status_polling.enabled",
               "expected auto, true or false", "\"sometimes\""});
  check_error(
      load_yaml("providers:\n  replicate:\n    resource: models\n"),
      {"providers.replicate.resource", "expected predictions or trainings"});
  check_error(load({"--set", "logging.level=loud"}),
              {"--set", "logging.level",
               "expected debug, info, warning or "
               "error"});
}

BOOST_AUTO_TEST_CASE(a_url_without_an_http_scheme_is_rejected) {
  check_error(load_yaml("providers:\n  replicate:\n"
                        "    api_base_url: api.replicate.com/v1\n"),
              {"providers.replicate.api_base_url", "http:// or https://"});
  check_error(
      load({}, {{"JOBSYNC_PROVIDERS_REPLICATE_API_BASE_URL", "ftp://x"}}),
      {"environment variable JOBSYNC_PROVIDERS_REPLICATE_API_BASE_URL",
       "providers.replicate.api_base_url"});
  check_error(load({"--set", "providers.replicate.webhook_url=example.com"}),
              {"--set", "providers.replicate.webhook_url"});
  // Empty means "no webhooks" and is fine.
  auto r = load({"--set", "providers.replicate.webhook_url="});
  BOOST_TEST(static_cast<bool>(r));
}

BOOST_AUTO_TEST_CASE(a_heartbeat_not_shorter_than_the_timeout_is_rejected) {
  temp_yaml file{"server:\n  request_timeout_seconds: 20\n"};
  auto r = load({"--config", file.path()},
                {{"JOBSYNC_EVENTS_HEARTBEAT_SECONDS", "20"}});
  check_error(r, {"events.heartbeat_seconds = 20",
                  "environment variable JOBSYNC_EVENTS_HEARTBEAT_SECONDS",
                  "must be less than", "server.request_timeout_seconds = 20",
                  file.path() + ":2"});
  check_error(load({"--set", "server.request_timeout_seconds=15"}),
              {"events.heartbeat_seconds = 15 (built-in default)",
               "server.request_timeout_seconds = 15 (--set)"});
}

BOOST_AUTO_TEST_CASE(other_combinations_of_keys_are_checked) {
  check_error(load({"--set", "providers.replicate.backoff_initial_seconds=9",
                    "--set", "providers.replicate.backoff_max_seconds=8"}),
              {"providers.replicate.backoff_initial_seconds",
               "at most providers.replicate.backoff_max_seconds"});
  check_error(
      load({"--set", "providers.replicate.default_hardware=gpu-t4"}),
      {"providers.replicate.default_hardware", "gpu-t4", "has no price"});
  check_error(load_yaml("providers:\n  replicate:\n    model_hardware:\n"
                        "      acme/x: gpu-t4\n"),
              {"providers.replicate.model_hardware", "acme/x", "gpu-t4",
               "has no price"});
}

BOOST_AUTO_TEST_CASE(a_bad_environment_value_names_the_variable) {
  check_error(
      load({}, {{"JOBSYNC_SERVER_PORT", "http"}}),
      {"environment variable JOBSYNC_SERVER_PORT", "server.port", "\"http\""});
  check_error(load({}, {{"SIMPLETUNER_JOB_POLL_INTERVAL", "30s"}}),
              {"environment variable SIMPLETUNER_JOB_POLL_INTERVAL",
               "background.job_status_polling.interval_seconds"});
  check_error(
      load({}, {{"JOBSYNC_PROVIDERS_REPLICATE_HARDWARE_PRICES", "gpu=1"}}),
      {"JOBSYNC_PROVIDERS_REPLICATE_HARDWARE_PRICES",
       "set it in the config file"});
}

BOOST_AUTO_TEST_CASE(an_unknown_flag_is_rejected) {
  check_error(load({"--prot", "1"}),
              {"unknown flag --prot", "did you mean --port?"});
  check_error(load({"--verbose"}), {"unknown flag --verbose"});
  check_error(load({"serve"}), {"unexpected argument \"serve\""});
}

BOOST_AUTO_TEST_CASE(a_flag_without_its_value_is_rejected) {
  check_error(load({"--port"}), {"--port needs a value"});
  check_error(load({"--config"}), {"--config needs a value"});
  check_error(load({"--data-dir", "--port", "1"}),
              {"--data-dir needs a value"});
  check_error(load({"--set"}), {"--set needs a value"});
  check_error(load({"--set", "server.port"}), {"--set: expected KEY=VALUE"});
  check_error(load({"--print-config=yes"}), {"--print-config takes no value"});
}

BOOST_AUTO_TEST_CASE(a_bad_flag_value_names_the_flag_and_key) {
  check_error(load({"--port", "http"}),
              {"--port: server.port", "from 0 to 65535"});
  check_error(load({"--set", "server.prot=1"}),
              {"--set: server.prot is not a key", "did you mean server.port?"});
  check_error(load({"--set", "server=1"}), {"server is a section"});
  check_error(
      load({"--set", "providers.replicate.hardware_names=x"}),
      {"providers.replicate.hardware_names", "set it in the config file"});
}

BOOST_AUTO_TEST_CASE(a_webhook_secret_that_is_not_whsec_base64_is_refused) {
  const std::string key = "providers.replicate.webhook_secret";
  for (std::string bad : {"whsec_!!!", "notwhsec", "whsec_", "whsec_dGVzdA=",
                          "whsec_dGVz dA==", "WHSEC_dGVzdA=="}) {
    BOOST_TEST_CONTEXT(bad) {
      // The file, both environment names and --set: each names the key,
      // and none repeats the secret.
      std::vector<jobsync::result<load_result>> attempts;
      attempts.push_back(load_yaml(
          "providers:\n  replicate:\n    webhook_secret: \"" + bad + "\"\n"));
      attempts.push_back(load({}, {{"REPLICATE_WEBHOOK_SECRET", bad}}));
      attempts.push_back(
          load({}, {{"JOBSYNC_PROVIDERS_REPLICATE_WEBHOOK_SECRET", bad}}));
      attempts.push_back(load({"--set", key + "=" + bad}));
      attempts.push_back(load({"--print-config", "--set", key + "=" + bad}));
      for (const auto& r : attempts) {
        check_error(r, {key, "whsec_ followed by base64"});
        // ("whsec_" alone is part of the message itself.)
        if (!r && bad != "whsec_")
          BOOST_TEST(r.error().detail.find(bad) == std::string::npos,
                     r.error().detail);
      }
    }
  }
  check_error(load({}, {{"REPLICATE_WEBHOOK_SECRET", "notwhsec"}}),
              {"REPLICATE_WEBHOOK_SECRET"});
}

BOOST_AUTO_TEST_CASE(a_whsec_secret_or_none_is_accepted) {
  for (std::string good :
       {"", "whsec_dGVzdA==", "whsec_dGVzdA", "whsec_dGVzdC1zZWNyZXQ="}) {
    auto r = load({"--set", "providers.replicate.webhook_secret=" + good});
    REQUIRE_OK(r);
    BOOST_TEST(r->settings.providers.at("replicate").webhook_secret == good);
  }
}

BOOST_AUTO_TEST_CASE(a_missing_or_broken_file_is_named) {
  check_error(load({"--config", "/nonexistent/jobsync.yaml"}),
              {"cannot read config file /nonexistent/jobsync.yaml"});
  temp_yaml broken{"server:\n  port: [1\n"};
  check_error(load({"--config", broken.path()}),
              {broken.path() + ":", "invalid YAML"});
  temp_yaml twice{"server:\n  port: 1\n  port: 2\n"};
  check_error(load({"--config", twice.path()}),
              {twice.path() + ":3:", "server.port: duplicate key"});
}

BOOST_AUTO_TEST_SUITE_END()
