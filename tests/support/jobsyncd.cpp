#include "tests/support/jobsyncd.hpp"

#include <csignal>
#include <stdexcept>

namespace jobsync::test {

std::string source_dir() {
  return JOBSYNC_SOURCE_DIR;
}

std::string jobsyncd_binary() {
  return JOBSYNCD_PATH;
}

jobsyncd::jobsyncd(std::string data_dir, std::vector<std::string> args,
                   std::map<std::string, std::string> env, std::string config) {
  if (config.empty())
    config = source_dir() + "/config/test.yaml";
  std::vector<std::string> argv{JOBSYNCD_PATH, "--config", config, "--data-dir",
                                data_dir,      "--port",   "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<child_process>(argv, std::move(env));
  auto port = process_->wait_for_port();
  if (!port)
    throw std::runtime_error("jobsyncd did not start:\n" + process_->output());
  port_ = *port;
}

jobsyncd::~jobsyncd() {
  if (!stopped_)
    stop();
}

std::string jobsyncd::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int jobsyncd::stop() {
  stopped_ = true;
  process_->signal(SIGTERM);
  return process_->wait_exit(std::chrono::seconds(30)).value_or(-1);
}

void jobsyncd::kill() {
  stopped_ = true;
  process_->signal(SIGKILL);
  process_->wait_exit(std::chrono::seconds(30));
}

replicate_sim::replicate_sim(std::vector<std::string> args) {
  std::vector<std::string> argv{REPLICATE_SIM_PATH, "--port", "0"};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<child_process>(argv);
  auto port = process_->wait_for_port();
  if (!port)
    throw std::runtime_error("replicate-sim did not start:\n"
                             + process_->output());
  port_ = *port;
}

std::string replicate_sim::api_base() const {
  return url("/v1");
}

std::string replicate_sim::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

http_response replicate_sim::admin(const std::string& path,
                                   const std::string& body) {
  return http_request("POST", url(path), body,
                      {{"Content-Type", "application/json"}});
}

} // namespace jobsync::test
