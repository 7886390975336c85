// The executable itself: flags, startup, signals.

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>

using namespace jobsync;
using namespace jobsync::test;

BOOST_AUTO_TEST_SUITE(process)

BOOST_AUTO_TEST_CASE(help_documents_every_flag_and_the_admin_api) {
  child_process p{{REPLICATE_SIM_PATH, "--help"}};
  BOOST_TEST(p.wait_exit().value_or(-1) == 0);
  // The exit can be seen before the reader thread drained the pipe; the
  // last line of the help text marks the end.
  BOOST_REQUIRE(p.wait_for_line("/_admin/health").has_value());
  auto text = p.output();
  for (auto needle : {"--host",
                      "--port",
                      "--token",
                      "--seed",
                      "--webhook-secret",
                      "--speed",
                      "--jobs",
                      "--starting-seconds",
                      "--processing-seconds",
                      "--failure-rate",
                      "--cancel-rate",
                      "--steps",
                      "--public-url",
                      "--webhook-retry-initial-ms",
                      "/_admin/jobs",
                      "/_admin/clock",
                      "/_admin/faults",
                      "/_admin/stats",
                      "/_admin/stats/reset",
                      "retry_after_format",
                      "early_requests"})
    BOOST_TEST(text.find(needle) != std::string::npos, needle);
}

BOOST_AUTO_TEST_CASE(bad_flags_stop_startup_with_a_message) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--bogus"},
                                        {"--port", "99999"},
                                        {"--speed", "fast"},
                                        {"--webhook-secret", "whsec_!!"},
                                        {"--failure-rate", "2"},
                                        {"--model", "no-slash"},
                                        {"--jobs"}}) {
    args.insert(args.begin(), REPLICATE_SIM_PATH);
    child_process p{args};
    BOOST_TEST_CONTEXT(args[1]) {
      BOOST_TEST(p.wait_exit().value_or(-1) == 2);
      BOOST_TEST(p.wait_for_line("replicate-sim:").has_value());
    }
  }
}

BOOST_AUTO_TEST_CASE(sigterm_and_sigint_stop_it_cleanly) {
  for (int sig : {SIGTERM, SIGINT}) {
    sim_process sim;
    sim.create_prediction();
    sim.process().signal(sig);
    BOOST_TEST(sim.process().wait_exit().value_or(-1) == 0);
  }
}

BOOST_AUTO_TEST_CASE(it_prints_one_listening_line_on_stdout) {
  sim_process sim;
  auto line = sim.process().wait_for_line("listening on ");
  BOOST_REQUIRE(line.has_value());
  BOOST_TEST(*line == "listening on 127.0.0.1:" + std::to_string(sim.port()));
}

BOOST_AUTO_TEST_CASE(seeded_jobs_are_there_at_start) {
  sim_process sim{{"--jobs", "150"}};
  auto all = walk_pages(sim, sim.base() + "/predictions");
  BOOST_TEST(all.size() == 150u);
  int active = 0;
  for (auto& id : std::vector<std::string>(all.begin(), all.begin() + 30)) {
    auto s = str(sim.job(id), "status");
    active += s == "starting" || s == "processing";
  }
  BOOST_TEST(active > 0);
}

BOOST_AUTO_TEST_CASE(the_public_url_is_used_in_every_link) {
  sim_process sim{{"--public-url", "https://api.example.test/v1/"}};
  sim.create_jobs(R"({"count":101})");
  auto page = parse_json(sim.api("GET", "/predictions").body);
  BOOST_TEST(str(page, "next")
                 .rfind("https://api.example.test/v1/predictions?cursor=", 0)
             == 0u);
  BOOST_TEST(str(page["results"][0]["urls"], "get")
                 .rfind("https://api.example.test/v1/predictions/", 0)
             == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
