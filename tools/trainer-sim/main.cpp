// trainer-sim: replays the reports of a SimpleTuner training run against a
// callback URL, the way the trainer sends them (tests, demos, benchmarks).

#include "tools/report-client/report_sender.hpp"
#include "tools/trainer-sim/scenario.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>

using namespace jobsync::tools;

namespace {

constexpr const char* usage = R"(Usage: trainer-sim [options]

Replays the reports of one SimpleTuner training run to a callback URL, as
SimpleTuner's trainer sends them ("raw" webhooks): one POST per report on a
new connection, Content-Type: application/json, X-API-Key when given, a 5 s
timeout, no retry.

Options:
  --url URL             callback URL (default http://127.0.0.1:8080/callback)
  --api-key KEY         sent as X-API-Key (the webhook's auth_token)
  --job-id ID           the run's job id (default: $SIMPLETUNER_JOB_ID, as
                        the trainer reads it, else 8 random hex digits)
  --no-job-id           the run has no job id (a CLI run without
                        SIMPLETUNER_JOB_ID)
  --scenario NAME       full (default): setup, steps, checkpoints, validation,
                        final save, training_complete;
                        crash: fails after 3 steps (error, then status failed);
                        killed: stops after 4 steps without a word;
                        burst: only step reports, back to back
  --steps N             optimizer steps (default 12)
  --checkpoint-every N  checkpoint and validation every N steps (default 6)
  --image-size PX       validation image width and height (default 256)
  --delay-ms MS         pause between reports (default 0)
  --timeout-ms MS       deadline of one report (default 5000)
  --save-image PATH     write the last validation PNG sent to PATH
  --verbose             one line per report
  --help                this text

Prints one summary line; exits 0 when every report was acknowledged (2xx),
1 when some were not, 2 on a usage error.
)";

struct options {
  report_target target{"http://127.0.0.1:8080/callback", {}, {}};
  run_plan plan;
  int delay_ms = 0;
  std::string save_image;
  bool verbose = false;
};

std::string random_job_id() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
  return buf;
}

bool parse_int(const char* text, int lo, int hi, int& out) {
  char* end = nullptr;
  long x = std::strtol(text, &end, 10);
  if (!*text || *end || x < lo || x > hi)
    return false;
  out = static_cast<int>(x);
  return true;
}

// Returns 0 to go on, else the exit code.
int parse(int argc, char** argv, options& o) {
  bool no_job_id = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "trainer-sim: %s needs a value\n", a.c_str());
        return nullptr;
      }
      return argv[++i];
    };
    auto number = [&](int lo, int hi, int& out) {
      auto v = value();
      if (v && parse_int(v, lo, hi, out))
        return true;
      if (v)
        std::fprintf(stderr, "trainer-sim: %s expects %d..%d, got '%s'\n",
                     a.c_str(), lo, hi, v);
      return false;
    };
    int ms = 0;
    if (a == "--help") {
      std::fputs(usage, stdout);
      return -1;
    } else if (a == "--url") {
      auto v = value();
      if (!v)
        return 2;
      o.target.url = v;
    } else if (a == "--api-key") {
      auto v = value();
      if (!v)
        return 2;
      o.target.api_key = v;
    } else if (a == "--job-id") {
      auto v = value();
      if (!v)
        return 2;
      o.plan.job_id = v;
    } else if (a == "--no-job-id") {
      no_job_id = true;
    } else if (a == "--scenario") {
      auto v = value();
      if (!v)
        return 2;
      auto kind = parse_run_kind(v);
      if (!kind) {
        std::fprintf(stderr, "trainer-sim: unknown scenario '%s'\n", v);
        return 2;
      }
      o.plan.kind = *kind;
    } else if (a == "--steps") {
      if (!number(1, 1000000, o.plan.steps))
        return 2;
    } else if (a == "--checkpoint-every") {
      if (!number(0, 1000000, o.plan.checkpoint_every))
        return 2;
    } else if (a == "--image-size") {
      if (!number(1, 4096, o.plan.image_size))
        return 2;
    } else if (a == "--delay-ms") {
      if (!number(0, 3600000, o.delay_ms))
        return 2;
    } else if (a == "--timeout-ms") {
      if (!number(1, 3600000, ms))
        return 2;
      o.target.timeout = std::chrono::milliseconds{ms};
    } else if (a == "--save-image") {
      auto v = value();
      if (!v)
        return 2;
      o.save_image = v;
    } else if (a == "--verbose") {
      o.verbose = true;
    } else {
      std::fprintf(stderr, "trainer-sim: unknown option '%s' (see --help)\n",
                   a.c_str());
      return 2;
    }
  }
  const char* env_id = std::getenv("SIMPLETUNER_JOB_ID");
  if (no_job_id)
    o.plan.job_id.reset();
  else if (!o.plan.job_id && env_id && *env_id)
    o.plan.job_id = env_id;
  else if (!o.plan.job_id)
    o.plan.job_id = random_job_id();
  return 0;
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * xs.size()));
  return xs[std::min(xs.size(), std::max<size_t>(rank, 1)) - 1];
}

} // namespace

int main(int argc, char** argv) {
  options o;
  if (int rc = parse(argc, argv, o))
    return rc < 0 ? 0 : rc;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto reports = plan_run(o.plan);
  std::vector<double> latencies;
  size_t acknowledged = 0, refused = 0, lost = 0;
  std::string last_image;
  for (size_t i = 0; i < reports.size(); ++i) {
    auto& r = reports[i];
    if (i > 0 && o.delay_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds{o.delay_ms});
    r.body.set("timestamp", iso_now());
    auto result = send_report(o.target, r.body.dump());
    latencies.push_back(result.milliseconds);
    if (result.acknowledged()) {
      ++acknowledged;
      if (!r.image.empty())
        last_image = r.image;
    } else if (result.status != 0) {
      ++refused;
    } else {
      ++lost;
    }
    if (o.verbose)
      std::printf("report %zu: %ld %.1f ms %s\n", i + 1, result.status,
                  result.milliseconds,
                  result.status ? result.body.c_str() : result.error.c_str());
  }
  if (!o.save_image.empty() && !last_image.empty()) {
    std::ofstream out{o.save_image, std::ios::binary};
    out << last_image;
  }
  // One line, read by the integration tests.
  std::printf("trainer-sim: job %s: %zu reports, %zu acknowledged, %zu "
              "refused, %zu lost; latency p50 %.1f ms, p99 %.1f ms, max %.1f "
              "ms\n",
              o.plan.job_id ? o.plan.job_id->c_str() : "(none)", reports.size(),
              acknowledged, refused, lost, percentile(latencies, 50),
              percentile(latencies, 99), percentile(latencies, 100));
  std::fflush(stdout);
  curl_global_cleanup();
  return acknowledged == reports.size() ? 0 : 1;
}
