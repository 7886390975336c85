// scripts/run.sh: `--help` starts nothing, and the demo serves on the port
// and data folder it is given, through the documented flags and keys, with
// no warning about unknown keys, and stops everything on SIGTERM.

#include "tests/support/http.hpp"
#include "tests/support/jobsyncd.hpp"

#include <boost/test/unit_test.hpp>

#include <csignal>
#include <filesystem>

using namespace jobsync::test;
namespace fs = std::filesystem;

namespace {

std::string script() {
  return source_dir() + "/scripts/run.sh";
}

// The build folder of this jobsyncd (the script finds both binaries there).
std::string build_dir() {
  return fs::path{JOBSYNCD_BINARY}.parent_path().string();
}

// The demo's environment: no token, this build, nothing of the caller's.
std::map<std::string, std::string>
demo_env(std::map<std::string, std::string> more = {}) {
  std::map<std::string, std::string> env{{"REPLICATE_API_TOKEN", ""},
                                         {"BUILD_DIR", build_dir()},
                                         {"JOBSYNC_STORAGE_PATH", ""},
                                         {"JOBSYNC_SERVER_PORT", ""}};
  for (auto& [k, v] : more)
    env[k] = v;
  return env;
}

// Starts the demo, waits until it is ready, checks what every demo shows,
// stops it with SIGTERM and checks that the emulator stopped too.
void run_demo(std::vector<std::string> args,
              std::map<std::string, std::string> env,
              const std::string& expected_data_dir) {
  args.insert(args.begin(), script());
  child_process demo{args, demo_env(std::move(env))};
  auto port = demo.wait_for_port(std::chrono::seconds(60));
  BOOST_REQUIRE_MESSAGE(port, demo.output());
  auto base = "http://127.0.0.1:" + std::to_string(*port);
  BOOST_TEST(
      eventually([&] { return http_get(base + "/readyz").status == 200; },
                 std::chrono::seconds(30)),
      demo.output());
  auto config = http_get(base + "/api/ui/config");
  BOOST_TEST(config.body.find("\"demo\":true") != std::string::npos,
             config.body);
  auto banner = demo.wait_for_line("bundled Replicate emulator at");
  BOOST_REQUIRE(banner);
  auto sim = demo.wait_for_line("http://127.0.0.1:");
  BOOST_REQUIRE(sim);
  auto sim_base = sim->substr(sim->find("http://"));
  sim_base = sim_base.substr(0, sim_base.find("/v1"));
  BOOST_TEST(http_get(sim_base + "/v1/predictions",
                      {{"Authorization", "Bearer r8_sim_token"}})
                 .status
             == 200);
  BOOST_TEST(demo.output().find("Demo data goes to " + expected_data_dir)
                 != std::string::npos,
             demo.output());
  BOOST_TEST(fs::exists(fs::path{expected_data_dir} / "data.mdb"));
  demo.signal(SIGTERM);
  BOOST_TEST(demo.wait_exit(std::chrono::seconds(30)).value_or(-1) == 0,
             demo.output());
  BOOST_TEST(demo.output().find("stopped cleanly") != std::string::npos);
  // The script sets only documented keys: jobsyncd warns about none.
  BOOST_TEST(demo.output().find("is not a configuration key")
                 == std::string::npos,
             demo.output());
  // The emulator went with it.
  BOOST_TEST(http_get(sim_base + "/v1/predictions").status == 0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(run_script)

BOOST_AUTO_TEST_CASE(help_lists_the_options_and_starts_nothing) {
  // A build folder that does not exist: help must neither build nor start.
  for (auto flag : {"--help", "-h"}) {
    child_process help{{script(), flag},
                       {{"BUILD_DIR", "/nonexistent/jobsync-build"},
                        {"REPLICATE_API_TOKEN", ""}}};
    BOOST_TEST(help.wait_exit().value_or(-1) == 0, help.output());
    auto text = help.output();
    for (auto part :
         {"--sim-port", "REPLICATE_API_TOKEN", "BUILD_DIR",
          "JOBSYNC_STORAGE_PATH", "--data-dir", "--port", "./data-demo"})
      BOOST_TEST(text.find(part) != std::string::npos, part);
    BOOST_TEST(text.find("DEMO MODE") == std::string::npos);
    BOOST_TEST(text.find("listening on") == std::string::npos);
  }
  child_process bad{{script(), "--sim-port", "x"},
                    {{"BUILD_DIR", "/nonexistent/jobsync-build"}}};
  BOOST_TEST(bad.wait_exit().value_or(-1) == 2);
  BOOST_TEST(bad.output().find("--sim-port") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_demo_takes_its_port_and_data_dir_from_flags) {
  temp_dir dir;
  run_demo({"--port", "0", "--data-dir", dir.path()}, {}, dir.path());
}

BOOST_AUTO_TEST_CASE(the_demo_takes_its_port_and_data_dir_from_the_keys) {
  temp_dir dir;
  run_demo({},
           {{"JOBSYNC_STORAGE_PATH", dir.path()}, {"JOBSYNC_SERVER_PORT", "0"}},
           dir.path());
}

BOOST_AUTO_TEST_SUITE_END()
