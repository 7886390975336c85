// jobsync-track: runs a training command as a local job of jobsync. It
// sets SIMPLETUNER_JOB_ID, reports the command's start and exit to
// /callback, and stops the command when the job is cancelled through
// jobsync.

#include "tools/jobsync-track/job_follower.hpp"
#include "tools/report-client/py_json.hpp"
#include "tools/report-client/report_sender.hpp"

#include <curl/curl.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace jobsync::tools;

namespace {

constexpr const char* usage
    = R"(Usage: jobsync-track [options] -- <training command...>

Runs a training command as a local job of jobsync: sets SIMPLETUNER_JOB_ID
for it (so a SimpleTuner trainer reports under that id), reports its start
and its exit to jobsync's POST /callback, and stops it when the job is
cancelled through jobsync (SIGTERM to its process group, SIGKILL after the
grace period). A non-zero exit or a signal marks the job failed with that
reason; a zero exit completes it unless the trainer already ended it.

Options:
  --url URL            jobsync's base URL (default http://127.0.0.1:8080)
  --job-id ID          the job id (default: 8 random hex digits)
  --api-key KEY        X-API-Key for /callback (providers.local.api_key)
  --api-token TOKEN    bearer token for /api/ (server.api_token), to follow
                       the job's events
  --grace-seconds N    wait this long after SIGTERM before SIGKILL
                       (default 10)
  --help               this text

Exits with the command's exit code (128 + the signal when it was killed);
125 when the command could not be started, 2 on a usage error.
Reports that cannot be delivered are warned about; the command runs anyway.
)";

constexpr int exit_usage = 2;
constexpr int exit_cannot_run = 125;

struct options {
  std::string url = "http://127.0.0.1:8080";
  std::string job_id;
  std::string api_key;
  std::string api_token;
  int grace_seconds = 10;
  std::vector<std::string> command;
};

// Returns -1 to go on, else the exit code.
int parse(int argc, char** argv, options& o) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--")
      break;
    if (a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "jobsync-track: %s needs a value (see --help)\n",
                   a.c_str());
      return exit_usage;
    }
    std::string v = argv[++i];
    if (a == "--url") {
      while (v.size() > 1 && v.back() == '/')
        v.pop_back();
      o.url = v;
    } else if (a == "--job-id") {
      o.job_id = v;
    } else if (a == "--api-key") {
      o.api_key = v;
    } else if (a == "--api-token") {
      o.api_token = v;
    } else if (a == "--grace-seconds") {
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 0 || n > 86400) {
        std::fprintf(stderr,
                     "jobsync-track: --grace-seconds expects 0..86400\n");
        return exit_usage;
      }
      o.grace_seconds = static_cast<int>(n);
    } else {
      std::fprintf(stderr, "jobsync-track: unknown option '%s' (see --help)\n",
                   a.c_str());
      return exit_usage;
    }
  }
  for (++i; i < argc; ++i)
    o.command.emplace_back(argv[i]);
  if (o.command.empty()) {
    std::fprintf(stderr,
                 "jobsync-track: no command given: jobsync-track [options] "
                 "-- <command...>\n");
    return exit_usage;
  }
  if (o.job_id.empty()) {
    std::random_device rd;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
    o.job_id = buf;
  }
  return -1;
}

std::string command_line(const std::vector<std::string>& command) {
  std::string out;
  for (const auto& part : command)
    out += (out.empty() ? "" : " ") + part;
  return out;
}

// Sends a report; a lost report is only a warning: the training goes on.
void report(const options& o, py_value body) {
  body.set("job_id", o.job_id);
  body.set("timestamp", iso_now());
  auto r = send_report({o.url + "/callback", o.api_key, {}}, body.dump());
  if (!r.acknowledged())
    std::fprintf(stderr,
                 "jobsync-track: a report to %s/callback was not "
                 "taken: %s\n",
                 o.url.c_str(),
                 r.status ? (std::to_string(r.status) + " " + r.body).c_str()
                          : r.error.c_str());
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string{"SIG"} + abbrev : std::to_string(sig);
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (int rc = parse(argc, argv, o); rc >= 0)
    return rc;
  // Signals are taken by sigwait below; the follower thread and the child
  // inherit the mask, and the child restores it before exec.
  sigset_t handled, previous;
  sigemptyset(&handled);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD})
    sigaddset(&handled, s);
  pthread_sigmask(SIG_BLOCK, &handled, &previous);
  curl_global_init(CURL_GLOBAL_DEFAULT);

  auto cmd = command_line(o.command);
  // `tracked_by` tells jobsync that a cancel reaches the command.
  report(o, py_value::object({{"type", "notification"},
                              {"severity", "info"},
                              {"tracked_by", "jobsync-track"},
                              {"title", "jobsync-track"},
                              {"message", "jobsync-track runs: " + cmd}}));

  std::atomic<pid_t> child{0};
  std::atomic<bool> done{false};
  std::atomic<bool> stopped_by_cancel{false};
  // A cancel that arrives before the command runs stops it as it starts.
  auto stop_child = [&] {
    stopped_by_cancel = true;
    std::fprintf(stderr,
                 "jobsync-track: job %s was cancelled: stopping the "
                 "command\n",
                 o.job_id.c_str());
    while (child.load() == 0 && !done)
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    if (done)
      return;
    ::kill(-child.load(), SIGTERM);
    auto deadline = std::chrono::steady_clock::now()
                    + std::chrono::seconds{o.grace_seconds};
    while (!done && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds{50});
    if (!done) {
      std::fprintf(stderr,
                   "jobsync-track: the command outlived the %d s "
                   "grace period: SIGKILL\n",
                   o.grace_seconds);
      ::kill(-child.load(), SIGKILL);
    }
  };
  job_follower follower{{o.url, o.job_id, o.api_token}, stop_child};

  std::vector<char*> args;
  for (auto& part : o.command)
    args.push_back(part.data());
  args.push_back(nullptr);
  setenv("SIMPLETUNER_JOB_ID", o.job_id.c_str(), 1);
  pid_t pid = fork();
  if (pid == 0) {
    // Its own process group, so a stop reaches every process it starts.
    setpgid(0, 0);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    execvp(args[0], args.data());
    std::fprintf(stderr, "jobsync-track: cannot run %s: %s\n", args[0],
                 std::strerror(errno));
    _exit(exit_cannot_run);
  }
  if (pid < 0) {
    std::fprintf(stderr, "jobsync-track: fork failed: %s\n",
                 std::strerror(errno));
    done = true;
    follower.stop();
    return exit_cannot_run;
  }
  setpgid(pid, pid); // also here: no race with a stop right after fork
  child = pid;

  int status = 0;
  for (;;) {
    int sig = 0;
    sigwait(&handled, &sig);
    if (sig != SIGCHLD) {
      // Passed on; the command decides how to end.
      ::kill(-pid, sig);
      continue;
    }
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
      break;
  }
  done = true;
  follower.stop();

  int code = 0;
  std::string what;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    code = 128 + sig;
    what = "The training command was killed by signal " + std::to_string(sig)
           + " (" + signal_name(sig) + ")";
  } else {
    code = WEXITSTATUS(status);
    what = "The training command exited with code " + std::to_string(code);
  }
  if (stopped_by_cancel) {
    // The job is cancelled already; this only tells its log how it ended.
    report(o, py_value::object({{"type", "notification"},
                                {"severity", "info"},
                                {"message", what
                                                + " after the job was "
                                                  "cancelled"}}));
  } else if (code == 0) {
    // Completes the job unless the trainer ended it already (a terminal
    // job is final).
    report(o, py_value::object({{"type", "training.status"},
                                {"severity", "info"},
                                {"status", "completed"},
                                {"message", what}}));
  } else {
    report(o,
           py_value::object(
               {{"type", "error"}, {"severity", "error"}, {"message", what}}));
  }
  curl_global_cleanup();
  return code;
}
