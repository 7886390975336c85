#include "config/reload.hpp"
#include "config/key_table.hpp"
#include "tests/unit/config/fixture.hpp"

#include <algorithm>

using namespace jobsync::config;
using jobsync::config::test::load;

namespace {

bool has_line(const reload_plan& p, const std::string& text) {
  return std::any_of(p.lines.begin(), p.lines.end(), [&](const auto& l) {
    return l.find(text) != std::string::npos;
  });
}

} // namespace

BOOST_AUTO_TEST_SUITE(reload)

BOOST_AUTO_TEST_CASE(keys_that_reload_are_taken_the_others_logged_and_kept) {
  auto running = load({"--set", "server.host=127.0.0.1"});
  REQUIRE_OK(running);
  auto loaded
      = load({"--set", "server.host=0.0.0.0", "--set",
              "background.job_status_polling.interval_seconds=7", "--set",
              "server.api_token=new-token", "--set", "logging.level=debug"});
  REQUIRE_OK(loaded);
  auto plan = plan_reload(running->settings, loaded->settings);
  REQUIRE_OK(plan);
  BOOST_TEST(plan->next.polling.interval_seconds == 7);
  BOOST_TEST(plan->next.server.api_token == "new-token");
  BOOST_TEST(plan->next.logging.level == "debug");
  // A restart would be needed: the running value stays.
  BOOST_TEST(plan->next.server.host == "127.0.0.1");
  BOOST_TEST(plan->need_restart == std::vector<std::string>{"server.host"});
  BOOST_TEST(plan->applied.size() == 3u);
  BOOST_TEST(has_line(*plan, "server.host: 127.0.0.1 -> 0.0.0.0 (needs a "
                             "restart"));
  BOOST_TEST(has_line(
      *plan,
      "background.job_status_polling.interval_seconds: 30 -> 7 (applied)"));
  // A secret is never shown.
  BOOST_TEST(has_line(*plan, "server.api_token: \"\" -> *** (applied)"));
  for (const auto& l : plan->lines)
    BOOST_TEST(l.find("new-token") == std::string::npos, l);
}

BOOST_AUTO_TEST_CASE(the_same_configuration_changes_nothing) {
  auto running = load({});
  REQUIRE_OK(running);
  auto plan = plan_reload(running->settings, running->settings);
  REQUIRE_OK(plan);
  BOOST_TEST(plan->lines.empty());
}

BOOST_AUTO_TEST_CASE(the_table_marks_which_keys_reload) {
  for (const char* path : {"server.api_token", "logging.level",
                           "background.job_status_polling.interval_seconds",
                           "providers.replicate.requests_per_minute",
                           "providers.replicate.api_token"})
    BOOST_TEST(find_key(path)->reloads, path);
  for (const char* path : {"server.host", "server.port", "server.threads",
                           "storage.path", "storage.backend"})
    BOOST_TEST(!find_key(path)->reloads, path);
}

BOOST_AUTO_TEST_SUITE_END()
