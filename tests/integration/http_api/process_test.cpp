#include "tests/integration/http_api/api_fixture.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>

using namespace jobsync;
using namespace jobsync::test;

BOOST_AUTO_TEST_SUITE(server_process)

BOOST_AUTO_TEST_CASE(sigterm_and_sigint_stop_the_server_cleanly) {
  temp_dir dir;
  for (int sig : {SIGTERM, SIGINT}) {
    jobsyncd server{dir.path()};
    BOOST_TEST(http_get(server.url("/healthz")).status == 200);
    server.process().signal(sig);
    BOOST_TEST(server.process().wait_exit().value_or(-1) == 0);
    BOOST_TEST(server.process().output().find("stopped cleanly")
               != std::string::npos);
    server.stop();
  }
}

BOOST_AUTO_TEST_CASE(a_restarted_server_finds_its_jobs) {
  temp_dir dir;
  seed_store(dir.path(),
             {make_job("kept", job_status::completed, 1'790'000'000'000)});
  {
    jobsyncd first{dir.path()};
    BOOST_TEST(http_get(first.url("/api/cloud/jobs/kept")).status == 200);
    BOOST_TEST(first.stop() == 0);
  }
  jobsyncd second{dir.path()};
  auto r = http_get(second.url("/api/cloud/jobs"));
  BOOST_TEST(json_of(r)["total"].GetUint64() == 1u);
}

BOOST_AUTO_TEST_CASE(a_bad_configuration_stops_start_up_with_code_2) {
  temp_dir dir;
  write_file(dir.path() + "/bad.yaml", "server:\n  prot: 80\n");
  child_process p{{JOBSYNCD_BINARY, "--config", dir.path() + "/bad.yaml"}};
  BOOST_TEST(p.wait_exit().value_or(-1) == 2);
  BOOST_TEST(p.output().find("server.prot") != std::string::npos, p.output());
  child_process q{{JOBSYNCD_BINARY, "--port", "http"}};
  BOOST_TEST(q.wait_exit().value_or(-1) == 2);
  BOOST_TEST(q.output().find("port") != std::string::npos, q.output());
  child_process env{{JOBSYNCD_BINARY, "--data-dir", dir.path()},
                    {{"JOBSYNC_SERVER_THREADS", "zero"}}};
  BOOST_TEST(env.wait_exit().value_or(-1) == 2);
  BOOST_TEST(env.output().find("JOBSYNC_SERVER_THREADS") != std::string::npos,
             env.output());
  // A webhook secret that is not whsec_<base64> stops --print-config and
  // start-up alike, naming the key and not the secret.
  for (auto mode : {"--print-config", "--data-dir"}) {
    std::vector<std::string> args{JOBSYNCD_BINARY, mode};
    if (std::string{mode} == "--data-dir")
      args.push_back(dir.path());
    child_process secret{args, {{"REPLICATE_WEBHOOK_SECRET", "whsec_!!!"}}};
    BOOST_TEST(secret.wait_exit().value_or(-1) == 2, mode);
    BOOST_TEST(secret.output().find("providers.replicate.webhook_secret")
                   != std::string::npos,
               secret.output());
    BOOST_TEST(secret.output().find("whsec_!!!") == std::string::npos,
               secret.output());
  }
}

BOOST_AUTO_TEST_CASE(print_config_masks_secrets) {
  child_process p{{JOBSYNCD_BINARY, "--print-config", "--set",
                   "server.api_token=topsecret"},
                  {{"REPLICATE_API_TOKEN", "r8_secret"}}};
  BOOST_TEST(p.wait_exit().value_or(-1) == 0);
  auto out = p.output();
  BOOST_TEST(out.find("topsecret") == std::string::npos);
  BOOST_TEST(out.find("r8_secret") == std::string::npos);
  BOOST_TEST(out.find("***") != std::string::npos);
  BOOST_TEST(out.find("port: 8080") != std::string::npos, out);
}

BOOST_AUTO_TEST_CASE(
    a_second_server_on_the_same_folder_exits_2_naming_the_first) {
  temp_dir dir;
  seed_store(dir.path(),
             {make_job("kept", job_status::running, 1'790'000'000'000)});
  auto first = std::make_unique<jobsyncd>(dir.path());
  child_process second{{JOBSYNCD_BINARY, "--config",
                        source_dir() + "/config/test.yaml", "--data-dir",
                        dir.path(), "--port", "0"}};
  BOOST_TEST(second.wait_exit().value_or(-1) == 2, second.output());
  auto said = second.output();
  BOOST_TEST(said.find(dir.path()) != std::string::npos, said);
  BOOST_TEST(said.find("PID " + std::to_string(first->process().pid()))
                 != std::string::npos,
             said);
  BOOST_TEST(said.find("listening on") == std::string::npos, said);
  // The first one never noticed.
  BOOST_TEST(http_get(first->url("/healthz")).status == 200);
  BOOST_TEST(http_get(first->url("/api/cloud/jobs/kept")).status == 200);

  // kill -9 leaves the lock file behind, but no holder: the next server
  // takes it without anyone cleaning up.
  first->kill();
  BOOST_TEST(std::filesystem::exists(dir.path() + "/jobsyncd.lock"));
  jobsyncd third{dir.path()};
  BOOST_TEST(http_get(third.url("/api/cloud/jobs/kept")).status == 200);
  std::ifstream lock_file{dir.path() + "/jobsyncd.lock"};
  long written = 0;
  lock_file >> written;
  BOOST_TEST(written == third.process().pid());
}

BOOST_AUTO_TEST_CASE(help_and_version_answer_and_exit) {
  child_process help{{JOBSYNCD_BINARY, "--help"}};
  BOOST_TEST(help.wait_exit().value_or(-1) == 0);
  BOOST_TEST(help.output().find("--data-dir") != std::string::npos);
  child_process version{{JOBSYNCD_BINARY, "--version"}};
  BOOST_TEST(version.wait_exit().value_or(-1) == 0);
  BOOST_TEST(version.output().find("jobsyncd ") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
