#include "tests/support/child_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jobsync::test {

child_process::child_process(std::vector<std::string> argv,
                             std::map<std::string, std::string> env) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe failed");
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry{*e};
    auto name = entry.substr(0, entry.find('='));
    if (env.count(name) == 0)
      env_strings.push_back(entry);
  }
  for (auto& [k, v] : env)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> c_argv;
  for (auto& a : argv)
    c_argv.push_back(a.data());
  c_argv.push_back(nullptr);
  std::vector<char*> c_env;
  for (auto& e : env_strings)
    c_env.push_back(e.data());
  c_env.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    // Tests may block signals in their own threads; the child starts clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(c_argv[0], c_argv.data(), c_env.data());
    std::fprintf(stderr, "execve %s: %s\n", c_argv[0], std::strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  reader_ = std::thread{[this, fd = fds[0]] { read_loop(fd); }};
}

child_process::~child_process() {
  if (!exit_code_) {
    ::kill(pid_, SIGKILL);
    wait_exit(std::chrono::seconds(10));
  }
  if (reader_.joinable())
    reader_.join();
}

void child_process::read_loop(int fd) {
  char buf[4096];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    std::lock_guard<std::mutex> guard{mtx_};
    output_.append(buf, static_cast<size_t>(n));
    cv_.notify_all();
  }
  close(fd);
  std::lock_guard<std::mutex> guard{mtx_};
  eof_ = true;
  cv_.notify_all();
}

std::optional<std::string>
child_process::wait_for_line(const std::string& needle,
                             std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> guard{mtx_};
  size_t at = std::string::npos;
  cv_.wait_for(guard, timeout, [&] {
    at = output_.find(needle);
    if (at == std::string::npos)
      return eof_;
    return output_.find('\n', at) != std::string::npos || eof_;
  });
  if (at == std::string::npos)
    return std::nullopt;
  auto begin = output_.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  auto end = output_.find('\n', at);
  return output_.substr(begin, end == std::string::npos ? std::string::npos
                                                        : end - begin);
}

std::optional<uint16_t>
child_process::wait_for_port(std::chrono::milliseconds timeout) {
  auto line = wait_for_line("listening on ", timeout);
  if (!line)
    return std::nullopt;
  auto colon = line->rfind(':');
  if (colon == std::string::npos)
    return std::nullopt;
  return static_cast<uint16_t>(std::atoi(line->c_str() + colon + 1));
}

std::string child_process::output() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return output_;
}

void child_process::signal(int sig) {
  if (!exit_code_)
    ::kill(pid_, sig);
}

std::optional<int> child_process::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_code_)
    return exit_code_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    auto r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_
          = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      // Let the reader drain what the child wrote before it exited, so
      // output() is complete once the exit is known.
      std::unique_lock<std::mutex> guard{mtx_};
      cv_.wait_until(guard,
                     std::max(deadline, std::chrono::steady_clock::now()
                                            + std::chrono::seconds(5)),
                     [this] { return eof_; });
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

temp_dir::temp_dir() {
  std::string tmpl
      = (std::filesystem::temp_directory_path() / "jobsync-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary};
  out << text;
}

} // namespace jobsync::test
