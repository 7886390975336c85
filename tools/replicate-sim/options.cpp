#include "tools/replicate-sim/options.hpp"

#include "model/standard_webhooks.hpp"

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <map>

namespace jobsync::sim {

namespace {

bool to_double(const std::string& s, double& out) {
  if (s.empty())
    return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(s.c_str(), &end);
  return errno == 0 && end == s.c_str() + s.size();
}

bool to_int(const std::string& s, int64_t lo, int64_t hi, int64_t& out) {
  if (s.empty())
    return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && end == s.c_str() + s.size() && out >= lo && out <= hi;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto item = s.substr(start, comma - start);
    if (!item.empty())
      out.push_back(item);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

} // namespace

parsed_options parse_options(int argc, char** argv) {
  parsed_options result;
  sim_options o;
  std::string error;
  auto number = [&](const std::string& flag, const std::string& v, double lo,
                    double hi, double& out) {
    if (!to_double(v, out) || out < lo || out > hi)
      error = flag + ": expected a number in [" + std::to_string(lo) + ", "
              + std::to_string(hi) + "], got '" + v + "'";
  };
  auto integer = [&](const std::string& flag, const std::string& v, int64_t lo,
                     int64_t hi, auto& out) {
    int64_t x = 0;
    if (!to_int(v, lo, hi, x))
      error = flag + ": expected an integer in [" + std::to_string(lo) + ", "
              + std::to_string(hi) + "], got '" + v + "'";
    else
      out = static_cast<std::remove_reference_t<decltype(out)>>(x);
  };
  using setter = std::function<void(const std::string&, const std::string&)>;
  std::map<std::string, setter> flags{
      {"--host", [&](auto&, auto& v) { o.host = v; }},
      {"--port", [&](auto& f, auto& v) { integer(f, v, 0, 65535, o.port); }},
      {"--threads", [&](auto& f, auto& v) { integer(f, v, 1, 64, o.threads); }},
      {"--token", [&](auto&, auto& v) { o.tokens.push_back(v); }},
      {"--seed",
       [&](auto& f, auto& v) { integer(f, v, 0, INT64_MAX, o.sim.seed); }},
      {"--webhook-secret",
       [&](auto& f, auto& v) {
         if (!decode_webhook_secret(v))
           error = f + ": expected whsec_<base64>";
         o.webhook_secret = v;
       }},
      {"--speed", [&](auto& f, auto& v) { number(f, v, 0, 1e6, o.speed); }},
      {"--start-time",
       [&](auto& f, auto& v) {
         o.start_time = parse_time(v);
         if (!o.start_time)
           error = f + ": expected an RFC 3339 date-time";
       }},
      {"--jobs",
       [&](auto& f, auto& v) { integer(f, v, 0, 10'000'000, o.jobs); }},
      {"--jobs-spread-seconds",
       [&](auto& f, auto& v) { number(f, v, 0, 1e9, o.jobs_spread_seconds); }},
      {"--starting-seconds",
       [&](auto& f, auto& v) {
         number(f, v, 0, 1e7, o.sim.schedule.starting_seconds);
       }},
      {"--processing-seconds",
       [&](auto& f, auto& v) {
         number(f, v, 0, 1e7, o.sim.schedule.processing_seconds);
       }},
      {"--failure-rate",
       [&](auto& f, auto& v) {
         number(f, v, 0, 1, o.sim.schedule.failure_rate);
       }},
      {"--cancel-rate",
       [&](auto& f, auto& v) {
         number(f, v, 0, 1, o.sim.schedule.cancel_rate);
       }},
      {"--jitter",
       [&](auto& f, auto& v) { number(f, v, 0, 0.99, o.sim.schedule.jitter); }},
      {"--steps",
       [&](auto& f, auto& v) {
         integer(f, v, 1, 10'000'000, o.sim.schedule.steps);
       }},
      {"--public-url",
       [&](auto&, auto& v) {
         o.public_url = v;
         while (!o.public_url.empty() && o.public_url.back() == '/')
           o.public_url.pop_back();
       }},
      {"--username", [&](auto&, auto& v) { o.sim.username = v; }},
      {"--model", [&](auto&, auto& v) { o.models.push_back(v); }},
      {"--default-webhook-events",
       [&](auto& f, auto& v) {
         o.sim.default_webhook_events = split_list(v);
         for (auto& e : o.sim.default_webhook_events)
           if (e != "start" && e != "output" && e != "logs" && e != "completed")
             error = f + ": unknown event '" + e + "'";
       }},
      {"--webhook-throttle-ms",
       [&](auto& f, auto& v) {
         int ms = 0;
         integer(f, v, 0, 3'600'000, ms);
         o.sim.webhook_throttle = std::chrono::milliseconds{ms};
       }},
      {"--webhook-retry-initial-ms",
       [&](auto& f, auto& v) {
         integer(f, v, 1, 3'600'000, o.webhook.retry_initial_ms);
       }},
      {"--webhook-retry-max",
       [&](auto& f, auto& v) { integer(f, v, 0, 30, o.webhook.max_retries); }},
      {"--webhook-timeout-ms",
       [&](auto& f, auto& v) {
         integer(f, v, 1, 600'000, o.webhook.timeout_ms);
       }},
      {"--webhook-concurrency",
       [&](auto& f, auto& v) {
         integer(f, v, 1, 1024, o.webhook.concurrency);
       }},
      {"--tick-ms",
       [&](auto& f, auto& v) { integer(f, v, 1, 60'000, o.tick_ms); }},
  };
  for (int i = 1; i < argc && error.empty(); ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      result.help = true;
      return result;
    }
    if (arg == "--rate-limit-enforce") {
      o.enforce_rate_limits = true;
      continue;
    }
    if (arg == "--verbose") {
      o.verbose = true;
      continue;
    }
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    auto f = flags.find(arg);
    if (f == flags.end()) {
      error = "unknown argument '" + arg + "' (see --help)";
      break;
    }
    if (!inline_value) {
      if (i + 1 >= argc) {
        error = arg + ": missing value";
        break;
      }
      value = argv[++i];
    }
    f->second(arg, value);
  }
  if (!error.empty()) {
    result.error = error;
    return result;
  }
  if (o.tokens.empty())
    o.tokens.push_back("r8_sim_token");
  result.options = std::move(o);
  return result;
}

std::string help_text() {
  return R"(replicate-sim: a Replicate HTTP API emulator with fault injection.

Usage: replicate-sim [flags]

After binding it prints "listening on <host>:<port>" on stdout. SIGINT and
SIGTERM stop it. Diagnostics go to stderr.

Server
  --host ADDR                  bind address (127.0.0.1)
  --port N                     bind port; 0 picks a free one (0)
  --threads N                  HTTP I/O threads (2)
  --public-url URL             base of absolute links in next/previous/urls
                               (http://<host>:<bound port>/v1)
  --token T                    accepted bearer token; repeatable
                               (r8_sim_token)
  --username NAME              account username; training destinations must
                               be NAME/<model> (sim-user)
  --model OWNER/NAME[:VERSION] add a model to the catalog; repeatable. The
                               version defaults to sha256("replicate-sim:" +
                               OWNER/NAME) in hex (see GET /_admin/models)
  --rate-limit-enforce         answer 429 beyond 600 creates or 3000 other
                               requests per minute (off: headers only)
  --verbose                    log every request and webhook attempt

Determinism and time
  --seed N                     seed of ids, durations, outcomes, logs (1)
  --speed F                    virtual clock speed; 0 freezes it (1)
  --start-time RFC3339         virtual time at start (wall clock)

Jobs
  --jobs N                     create N predictions at start (0)
  --jobs-spread-seconds S      seeded jobs reach S seconds back (21600)
  --starting-seconds X         mean time in starting (5)
  --processing-seconds Y       mean time in processing (120)
  --failure-rate F             share of jobs that fail (0.1)
  --cancel-rate F              share of jobs canceled part-way (0.05)
  --jitter F                   durations vary by +-F unless explicit (0.25)
  --steps N                    training steps shown in logs (1000)

Webhooks
  --webhook-secret whsec_...   signing secret, also served by
                               GET /v1/webhooks/default/secret
  --default-webhook-events L   events for jobs without a filter
                               (start,output,logs,completed)
  --webhook-throttle-ms MS     min gap between output/logs events (500)
  --webhook-retry-initial-ms M first retry delay of `completed`, doubling (250)
  --webhook-retry-max N        retries after the first attempt (6)
  --webhook-timeout-ms MS      per-attempt timeout (5000)
  --webhook-concurrency N      deliveries in flight (8)
  --tick-ms MS                 how often jobs are checked for events (50)

Replicate API (Authorization: Bearer <token>; problem+json errors)
  GET  /v1/predictions[?cursor=&created_after=&created_before=&source=web]
  POST /v1/predictions                      {version, input, webhook?,
                                             webhook_events_filter?}
                                            header Cancel-After: 30s|5m|1h30m
  POST /v1/models/{owner}/{name}/predictions
  GET  /v1/predictions/{id}
  POST /v1/predictions/{id}/cancel
  GET  /v1/trainings[?cursor=]
  POST /v1/models/{owner}/{name}/versions/{version}/trainings
                                            {destination, input, webhook?, ...}
  POST /v1/trainings                        {version, destination, input, ...}
  GET  /v1/trainings/{id}
  POST /v1/trainings/{id}/cancel
  GET  /v1/account
  GET  /v1/webhooks/default/secret
  GET  /v1/hardware

Admin API (no auth, JSON bodies, every success is 200 with JSON)
  POST   /_admin/jobs        {"count":N, "collection":"predictions"|"trainings",
                              "status":<fixed initial status, held until
                              advanced>, "created_spread_seconds":S,
                              "webhook":URL, "webhook_events_filter":[...],
                              "model":"owner/name", "starting_seconds":X,
                              "processing_seconds":Y, "outcome":"succeeded"|
                              "failed"|"canceled", "steps":N, "input":{...},
                              "source":"api"|"web"}  -> {"ids":[newest first]}
  GET    /_admin/jobs/{id}   the job object (not counted in stats)
  POST   /_admin/jobs/{id}/advance  {"to":"processing"|"succeeded"|"failed"|
                              "canceled"|"aborted"} -> the job (409 when not
                              possible); fires the webhooks it implies
  POST   /_admin/jobs/{id}/logs     {"append":"text"} -> the job
  DELETE /_admin/jobs/{id}   forget the job -> {"deleted":id}
  GET    /_admin/clock       {"now","now_unix_ms","speed"}
  POST   /_admin/clock       {"advance_seconds":X} and/or {"speed":F}
  POST   /_admin/faults      {"endpoint":"list"|"get"|"cancel"|"create"|
                              "account"|"secret"|"hardware"|"other"|"*",
                              "kind":"status"|"slow"|"drop"|"malformed",
                              "status":429, "retry_after":5,
                              "retry_after_format":"seconds"|"date",
                              "delay_ms":2000, "probability":0.5, "count":3}
                              -> {"id":n}
  GET    /_admin/faults      {"faults":[...]}
  DELETE /_admin/faults      remove all -> {"cleared":n}
  GET    /_admin/stats       {"requests":{"list","get","cancel","create",
                              "account","secret","total"},
                              "requests_by_token":{"<token>":n},
                              "gets_by_job":{"<id>":[unix ms,...]},
                              "early_requests":n, "webhooks":{"sent",
                              "succeeded","failed","retried"}}
  POST   /_admin/stats/reset zero the counters
  GET    /_admin/webhooks    recent delivery attempts and pending count
  GET    /_admin/models      the model catalog with version ids
  GET    /_admin/health      {"ok":true,"jobs":n}
)";
}

} // namespace jobsync::sim
