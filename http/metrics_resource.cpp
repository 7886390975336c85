#include "http/metrics_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"
#include "http/process_start.hpp"
#include "http/query.hpp"
#include "model/money.hpp"
#include "model/trainer_rules.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <map>
#include <utility>

namespace jobsync::http {

namespace {

constexpr int default_days = 30;
constexpr int max_days = 365;

// -- Prometheus text format 0.0.4 ---------------------------------------------

std::string format_value(double x) {
  if (std::isnan(x))
    return "NaN";
  if (std::isinf(x))
    return x > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  if (ec != std::errc{})
    return "NaN";
  return std::string(buf.data(), end);
}

std::string escape_label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

using labels = std::vector<std::pair<std::string_view, std::string>>;

// Writes one metric family: HELP and TYPE once, then its samples, so that a
// family's samples are never split (the format requires them together).
class exposition {
public:
  void family(std::string_view name, std::string_view type,
              std::string_view help) {
    name_ = name;
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void sample(const labels& ls, double value) {
    out_ += name_;
    if (!ls.empty()) {
      out_ += '{';
      for (size_t i = 0; i < ls.size(); ++i) {
        if (i > 0)
          out_ += ',';
        out_ += ls[i].first;
        out_ += "=\"";
        out_ += escape_label(ls[i].second);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += format_value(value);
    out_ += '\n';
  }

  std::string take() {
    return std::move(out_);
  }

private:
  std::string out_;
  std::string name_;
};

double seconds(unix_ms t) {
  return static_cast<double>(t) / 1000.0;
}

double flag(bool x) {
  return x ? 1.0 : 0.0;
}

// One gauge per poller, for the figures every poller has.
template <class Get>
void per_poller(exposition& e, const std::vector<poller_status>& pollers,
                std::string_view name, std::string_view type,
                std::string_view help, Get get) {
  if (pollers.empty())
    return;
  e.family(name, type, help);
  for (const auto& p : pollers)
    e.sample({{"provider", p.provider}}, get(p));
}

// The same for figures of the last cycle, which a poller may not have yet.
template <class Get>
void per_last_cycle(exposition& e, const std::vector<poller_status>& pollers,
                    std::string_view name, std::string_view help, Get get) {
  bool any = false;
  for (const auto& p : pollers)
    any = any || p.last_cycle.has_value();
  if (!any)
    return;
  e.family(name, "gauge", help);
  for (const auto& p : pollers)
    if (p.last_cycle)
      e.sample({{"provider", p.provider}}, get(*p.last_cycle));
}

// A family of one sample without labels (counts convert exactly up to 2^53).
void single(exposition& e, std::string_view name, std::string_view type,
            std::string_view help, double value) {
  e.family(name, type, help);
  e.sample({}, value);
}

// Every provider with a poller is listed, zeros included, like the job
// counts; the reader lists every provider with an active job.
void stale_family(exposition& e, const std::vector<poller_status>& pollers,
                  const std::vector<stale_tally>& stale) {
  std::map<std::string, uint64_t> by_provider;
  for (const auto& p : pollers)
    by_provider[p.provider];
  for (const auto& t : stale)
    by_provider[t.provider] += t.count;
  e.family("jobsync_jobs_stale", "gauge",
           "Active jobs their provider has not confirmed for "
           "background.stale_after_seconds; their status may be out of "
           "date.");
  for (const auto& [provider, n] : by_provider)
    e.sample({{"provider", provider}}, static_cast<double>(n));
}

void connection_families(exposition& e, const connection_figures& c) {
  single(e, "jobsync_http_connections_open", "gauge",
         "HTTP connections open now, event streams included.", c.open);
  single(e, "jobsync_http_connections_accepted_total", "counter",
         "HTTP connections accepted since start.", c.accepted);
  single(e, "jobsync_http_connections_closed_total", "counter",
         "HTTP connections closed since start, whoever closed them.", c.closed);
  single(e, "jobsync_http_connections_refused_total", "counter",
         "Connections closed at once because server.max_connections were "
         "open.",
         c.refused);
}

void writer_families(exposition& e, const writer_figures& w) {
  single(e, "jobsync_store_commits_total", "counter",
         "Write transactions the registry committed since start; each "
         "carries every request that queued meanwhile (group commit).",
         w.commits);
  single(e, "jobsync_store_committed_requests_total", "counter",
         "Requests those transactions carried; over the commits, the mean "
         "group size.",
         w.requests);
  single(e, "jobsync_store_writer_busy_seconds_total", "counter",
         "Time the registry spent running, committing and answering its "
         "transactions. Growing as fast as the clock: writes queue for it.",
         w.busy_seconds);
  single(e, "jobsync_store_commit_seconds_total", "counter",
         "Of that, the time in the store's commit: on LMDB writing the "
         "pages and flushing them to the device, on PostgreSQL the COMMIT.",
         w.commit_seconds);
}

void event_stream_families(exposition& e, const event_stream_stats& s) {
  single(e, "jobsync_event_streams_open", "gauge",
         "Event streams (GET /api/events) open now.", s.subscribers);
  single(e, "jobsync_event_stream_addresses", "gauge",
         "Client addresses with an event stream open now.", s.addresses);
  single(e, "jobsync_event_streams_total", "counter",
         "Event streams accepted since start.", s.subscriptions);
  single(e, "jobsync_event_streams_refused_total", "counter",
         "Event streams refused at a connection limit or at shutdown.",
         s.refused);
  single(e, "jobsync_event_streams_dropped_slow_total", "counter",
         "Event streams ended because their client did not keep up.",
         s.dropped_slow);
  single(e, "jobsync_event_streams_disconnected_total", "counter",
         "Event streams whose connection closed or broke.", s.disconnected);
  single(e, "jobsync_events_total", "counter",
         "Job events published to event streams since start.", s.events);
}

// Entries of /proc/self/fd (the listing's own descriptor included, the
// same in every scrape); nullopt where there is no /proc.
std::optional<uint64_t> open_descriptors() {
  std::error_code ec;
  std::filesystem::directory_iterator it{"/proc/self/fd", ec};
  if (ec)
    return std::nullopt;
  uint64_t n = 0;
  for (; it != std::filesystem::directory_iterator{}; it.increment(ec)) {
    if (ec)
      return std::nullopt;
    ++n;
  }
  return n;
}

} // namespace

result<int> parse_metrics_days(std::string_view raw_query) {
  auto params = query_params::parse(raw_query);
  if (!params)
    return params.error();
  auto v = params->get("days");
  if (!v)
    return default_days;
  auto n = parse_integer(*v, 1, max_days);
  if (!n)
    return failure{errc::bad_request,
                   "Invalid days '" + std::string{*v}
                       + "': must be an integer from 1 to 365"};
  return static_cast<int>(*n);
}

std::string dashboard_metrics_json(const metrics_report& r) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  // The original's account fields: Replicate exposes no balance, so they
  // stay null, as they were there; kept for its clients.
  w.Key("credit_balance");
  w.Null();
  w.Key("estimated_jobs_remaining");
  w.Null();
  w.Key("total_cost");
  w.Double(round_usd(r.total_cost));
  w.Key("job_count");
  w.Uint64(r.job_count);
  w.Key("avg_job_duration_seconds");
  write_optional(w, r.avg_job_duration_seconds);
  w.Key("jobs_by_status");
  w.StartObject();
  for (auto s : all_statuses) {
    auto key = to_string(s);
    write_key(w, key);
    w.Uint64(r.jobs_by_status[static_cast<size_t>(s)]);
  }
  w.EndObject();
  w.Key("cost_by_day");
  w.StartArray();
  for (const auto& d : r.cost_by_day) {
    w.StartObject();
    w.Key("date");
    w.String(d.date);
    w.Key("total_jobs");
    w.Uint64(d.total_jobs);
    w.Key("completed");
    w.Uint64(d.completed);
    w.Key("failed");
    w.Uint64(d.failed);
    w.Key("cancelled");
    w.Uint64(d.cancelled);
    w.Key("local_jobs");
    w.Uint64(d.local_jobs);
    w.Key("cloud_jobs");
    w.Uint64(d.cloud_jobs);
    w.Key("total_cost_usd");
    w.Double(round_usd(d.total_cost_usd));
    w.EndObject();
  }
  w.EndArray();
  w.Key("period_days");
  w.Int(r.period_days);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string prometheus_text(const server_figures& f, unix_ms started,
                            std::string_view version) {
  exposition e;
  e.family("jobsync_build_info", "gauge",
           "The running jobsyncd build; the value is always 1.");
  e.sample({{"version", std::string{version}}}, 1);
  e.family("jobsync_start_time_seconds", "gauge",
           "When this jobsyncd process started, in Unix seconds.");
  e.sample({}, seconds(started));

  // Every status of every (type, provider) seen, zeros included, so a
  // status that has no job yet is a 0 rather than a missing series. A
  // provider with a poller is listed even before its first job.
  std::map<std::pair<std::string, std::string>, std::array<uint64_t, 7>>
      by_kind;
  // Every polled provider has its series, at zero before its first job.
  for (const auto& p : f.pollers)
    by_kind[{
        std::string{to_string(p.provider == local_provider ? job_type::local
                                                           : job_type::cloud)},
        p.provider}];
  uint64_t active = 0;
  for (const auto& t : f.jobs) {
    auto& counts
        = by_kind[{std::string{to_string(t.type)}, t.provider.value_or("")}];
    counts[static_cast<size_t>(t.status)] += t.count;
    if (is_active(t.status))
      active += t.count;
  }
  e.family("jobsync_jobs", "gauge",
           "Stored jobs by type, provider and status.");
  for (const auto& [kind, counts] : by_kind)
    for (auto s : all_statuses)
      e.sample({{"job_type", kind.first},
                {"provider", kind.second},
                {"status", std::string{to_string(s)}}},
               static_cast<double>(counts[static_cast<size_t>(s)]));
  e.family("jobsync_jobs_active", "gauge",
           "Stored jobs in an active status (pending, uploading, queued or "
           "running).");
  e.sample({}, static_cast<double>(active));

  const auto& ps = f.pollers;
  per_poller(e, ps, "jobsync_poller_enabled", "gauge",
             "Whether the provider's background poller runs cycles.",
             [](const poller_status& p) { return flag(p.enabled); });
  per_poller(e, ps, "jobsync_poller_interval_seconds", "gauge",
             "Configured seconds between poll cycles.",
             [](const poller_status& p) {
               return static_cast<double>(p.interval_seconds);
             });
  per_poller(e, ps, "jobsync_poller_cycle_running", "gauge",
             "Whether a poll cycle is running now.",
             [](const poller_status& p) { return flag(p.cycle_running); });
  per_poller(
      e, ps, "jobsync_poller_cycles_total", "counter",
      "Poll cycles finished since the poller started.",
      [](const poller_status& p) { return static_cast<double>(p.cycles); });
  per_poller(e, ps, "jobsync_poller_sweep_interval_seconds", "gauge",
             "Configured seconds between reconcile sweeps; 0: no sweep.",
             [](const poller_status& p) {
               return static_cast<double>(p.sweep_interval_seconds);
             });
  per_poller(
      e, ps, "jobsync_reconcile_recovered_total", "counter",
      "Status changes of jobs fed by webhooks that a poll cycle or sweep "
      "found before any webhook delivered them. Above zero, webhooks are "
      "being lost.",
      [](const poller_status& p) { return static_cast<double>(p.recovered); });
  per_poller(
      e, ps, "jobsync_poller_jobs_lost_total", "counter",
      "Jobs stored as failed because their provider had not known them for "
      "lost_after_seconds (local runs: no report from the trainer for "
      "silence_timeout_seconds).",
      [](const poller_status& p) { return static_cast<double>(p.lost); });
  per_poller(e, ps, "jobsync_poller_first_cycle_done", "gauge",
             "Whether the first poll cycle after start-up has ended.",
             [](const poller_status& p) { return flag(p.first_cycle_done); });
  per_poller(e, ps, "jobsync_poller_leading", "gauge",
             "Whether this replica runs the provider's background cycles "
             "(always, unless replicas share a database).",
             [](const poller_status& p) {
               return flag(p.leadership && p.leadership->leading);
             });
  if (!ps.empty()) {
    e.family("jobsync_poller_circuit_state", "gauge",
             "The poller's circuit breaker: 1 for its current state.");
    for (const auto& p : ps)
      for (std::string_view state : {"closed", "open", "half_open"})
        e.sample({{"provider", p.provider}, {"state", std::string{state}}},
                 flag(p.circuit == state));
  }
  per_poller(e, ps, "jobsync_poller_consecutive_failures", "gauge",
             "Failed poll cycles in a row.", [](const poller_status& p) {
               return static_cast<double>(p.consecutive_failures);
             });
  per_poller(e, ps, "jobsync_poller_backoff_seconds", "gauge",
             "Delay before the next retry after a failure; 0 when none is "
             "pending.",
             [](const poller_status& p) { return p.backoff_seconds; });
  per_last_cycle(e, ps, "jobsync_poller_last_cycle_start_time_seconds",
                 "When the last finished poll cycle started, in Unix "
                 "seconds.",
                 [](const cycle_report& c) { return seconds(c.started); });
  per_last_cycle(e, ps, "jobsync_poller_last_cycle_duration_seconds",
                 "How long the last finished poll cycle took.",
                 [](const cycle_report& c) {
                   return static_cast<double>(c.duration_ms) / 1000.0;
                 });
  per_last_cycle(
      e, ps, "jobsync_poller_last_cycle_requests",
      "Provider requests made by the last poll cycle.",
      [](const cycle_report& c) { return static_cast<double>(c.requests); });
  per_last_cycle(
      e, ps, "jobsync_poller_last_cycle_jobs_active",
      "Active jobs the last poll cycle asked about.",
      [](const cycle_report& c) { return static_cast<double>(c.jobs_active); });
  per_last_cycle(e, ps, "jobsync_poller_last_cycle_jobs_checked",
                 "Active jobs the last poll cycle got an answer for.",
                 [](const cycle_report& c) {
                   return static_cast<double>(c.jobs_checked);
                 });
  per_last_cycle(e, ps, "jobsync_poller_last_cycle_jobs_changed",
                 "Jobs whose stored record the last poll cycle changed.",
                 [](const cycle_report& c) {
                   return static_cast<double>(c.jobs_changed);
                 });
  per_last_cycle(
      e, ps, "jobsync_poller_last_cycle_errors",
      "Failed provider requests of the last poll cycle.",
      [](const cycle_report& c) { return static_cast<double>(c.errors); });
  per_last_cycle(e, ps, "jobsync_poller_last_cycle_complete",
                 "Whether the last poll cycle checked every active job.",
                 [](const cycle_report& c) { return flag(c.complete); });
  if (f.stale)
    stale_family(e, f.pollers, *f.stale);
  if (f.connections)
    connection_families(e, *f.connections);
  if (f.events)
    event_stream_families(e, *f.events);
  if (f.trainer_reports)
    single(e, "jobsync_trainer_reports_total", "counter",
           "Reports of local trainers (POST /callback) committed since start.",
           *f.trainer_reports);
  if (f.unattributed_reports)
    single(e, "jobsync_trainer_reports_unattributed_total", "counter",
           "Trainer reports without a job id since start: acknowledged and "
           "counted, attributed to no job.",
           *f.unattributed_reports);
  if (f.writer)
    writer_families(e, *f.writer);
  if (f.open_descriptors) {
    e.family("process_open_fds", "gauge",
             "File descriptors the process holds open.");
    e.sample({}, static_cast<double>(*f.open_descriptors));
  }
  return e.take();
}

handler dashboard_metrics(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto days = parse_metrics_days(ex->query);
    if (!days)
      return ex->respond(error_response(days.error()));
    ask(
        *a, ex, a->reader(),
        [ex](metrics_report& r) {
          response out;
          out.body = dashboard_metrics_json(r);
          ex->respond(std::move(out));
        },
        metrics_atom::value, *days);
  };
}

handler prometheus_metrics(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto respond = [ex](const server_figures& f) {
      response out;
      out.content_type = "text/plain; version=0.0.4; charset=utf-8";
      out.body = prometheus_text(f, process_started(), JOBSYNC_VERSION);
      out.headers.emplace_back("Cache-Control", "no-store");
      ex->respond(std::move(out));
    };
    // The overview's figures first (a failure there fails the scrape),
    // then the hub's counters (left out if the hub does not answer), then
    // what this process can tell by itself.
    a->system().spawn([a, ex, respond](caf::event_based_actor* self) {
      auto timeout = a->config()->actor_timeout;
      self->request(a->actors().overview, timeout, metrics_atom::value)
          .then(
              [=](server_figures& figures) {
                auto f = std::make_shared<server_figures>(std::move(figures));
                if (const auto* c = a->connections())
                  f->connections
                      = connection_figures{c->open.load(), c->accepted.load(),
                                           c->closed.load(), c->refused.load()};
                f->open_descriptors = open_descriptors();
                // The hub and a reader answer in parallel; each part is
                // left out if its actor fails.
                auto pending = std::make_shared<int>(2);
                auto done = [=] {
                  if (--*pending == 0)
                    respond(*f);
                };
                if (a->actors().events)
                  self->request(a->actors().events, timeout, status_atom::value)
                      .then(
                          [=](event_stream_stats& s) {
                            f->events = s;
                            done();
                          },
                          [=](caf::error&) { done(); });
                else
                  done();
                self->request(a->reader(), timeout, stale_atom::value,
                              a->config()->staleness)
                    .then(
                        [=](std::vector<stale_tally>& t) {
                          f->stale = std::move(t);
                          done();
                        },
                        [=](caf::error&) { done(); });
              },
              [ex](caf::error& e) {
                ex->respond(error_response(from_error(e)));
              });
    });
  };
}

} // namespace jobsync::http
