#include "http/metrics_resource.hpp"

#include <boost/test/unit_test.hpp>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <sstream>

using namespace jobsync;
using namespace jobsync::http;

namespace {

// The exposition parsed back: HELP and TYPE per family, samples by their
// full name with labels.
struct exposition {
  std::map<std::string, std::string> help;
  std::map<std::string, std::string> type;
  std::map<std::string, std::string> samples;
  std::vector<std::string> order;
};

exposition parse(const std::string& text) {
  exposition e;
  std::istringstream in{text};
  std::string line;
  while (std::getline(in, line)) {
    BOOST_REQUIRE_MESSAGE(!line.empty(), "no empty lines");
    if (line.rfind("# HELP ", 0) == 0) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      BOOST_REQUIRE(sp != std::string::npos);
      auto name = rest.substr(0, sp);
      BOOST_TEST(e.help.count(name) == 0u, "one HELP for " << name);
      e.help[name] = rest.substr(sp + 1);
      e.order.push_back(name);
    } else if (line.rfind("# TYPE ", 0) == 0) {
      auto rest = line.substr(7);
      auto sp = rest.find(' ');
      auto name = rest.substr(0, sp);
      BOOST_TEST(e.type.count(name) == 0u, "one TYPE for " << name);
      BOOST_TEST(e.help.count(name) == 1u, "HELP before TYPE: " << name);
      e.type[name] = rest.substr(sp + 1);
    } else {
      BOOST_REQUIRE_MESSAGE(line[0] != '#', line);
      auto sp = line.rfind(' ');
      auto key = line.substr(0, sp);
      auto family = key.substr(0, key.find('{'));
      // Samples follow their family's TYPE line, never another family's.
      BOOST_TEST(!e.order.empty());
      BOOST_TEST(family == e.order.back(), line);
      BOOST_TEST(e.samples.count(key) == 0u, "duplicate " << key);
      e.samples[key] = line.substr(sp + 1);
    }
  }
  return e;
}

poller_status poller(std::string provider) {
  poller_status p;
  p.provider = std::move(provider);
  p.enabled = true;
  p.reason = "auto";
  p.interval_seconds = 30;
  p.cycles = 12;
  p.circuit = "half_open";
  p.consecutive_failures = 2;
  p.backoff_seconds = 1.5;
  p.first_cycle_done = true;
  return p;
}

} // namespace

BOOST_AUTO_TEST_SUITE(metrics_days)

BOOST_AUTO_TEST_CASE(days_defaults_to_30_and_accepts_1_to_365) {
  BOOST_TEST(*parse_metrics_days("") == 30);
  BOOST_TEST(*parse_metrics_days("days=1") == 1);
  BOOST_TEST(*parse_metrics_days("days=365") == 365);
  BOOST_TEST(*parse_metrics_days("provider=replicate&days=7") == 7);
}

BOOST_AUTO_TEST_CASE(bad_days_are_a_bad_request_naming_the_parameter) {
  for (auto q : {"days=0", "days=366", "days=abc", "days=", "days=1.5",
                 "days=-1", "days=%zz", "days=1&days=2"}) {
    auto r = parse_metrics_days(q);
    BOOST_REQUIRE_MESSAGE(!r, q);
    BOOST_TEST((r.error().code == errc::bad_request), q);
    BOOST_TEST(r.error().detail.find("days") != std::string::npos,
               r.error().detail);
  }
  BOOST_TEST(parse_metrics_days("days=0").error().detail.find("1 to 365")
             != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(dashboard_metrics_body)

BOOST_AUTO_TEST_CASE(the_body_has_every_field_and_all_seven_statuses) {
  metrics_report r;
  r.period_days = 7;
  r.job_count = 3;
  r.total_cost = 0.1 + 0.2;
  r.avg_job_duration_seconds = 90.5;
  r.jobs_by_status[static_cast<size_t>(job_status::completed)] = 2;
  r.jobs_by_status[static_cast<size_t>(job_status::failed)] = 1;
  day_figures figures;
  figures.date = "2026-03-10";
  figures.total_jobs = 3;
  figures.completed = 2;
  figures.failed = 1;
  figures.local_jobs = 1;
  figures.cloud_jobs = 2;
  figures.total_cost_usd = 0.1 + 0.2;
  r.cost_by_day.push_back(figures);
  rapidjson::Document d;
  d.Parse(dashboard_metrics_json(r).c_str());
  BOOST_REQUIRE(!d.HasParseError());
  BOOST_TEST(d["credit_balance"].IsNull());
  BOOST_TEST(d["estimated_jobs_remaining"].IsNull());
  BOOST_TEST(d["job_count"].GetUint64() == 3u);
  // Binary noise is rounded away (to a millionth of a dollar).
  BOOST_TEST(d["total_cost"].GetDouble() == 0.3);
  BOOST_TEST(d["avg_job_duration_seconds"].GetDouble() == 90.5);
  BOOST_TEST(d["period_days"].GetInt() == 7);
  const auto& by = d["jobs_by_status"];
  BOOST_TEST(by.MemberCount() == 7u);
  for (auto s : all_statuses)
    BOOST_TEST(by.HasMember(std::string{to_string(s)}.c_str()));
  BOOST_TEST(by["completed"].GetUint64() == 2u);
  BOOST_TEST(by["pending"].GetUint64() == 0u);
  const auto& day = d["cost_by_day"][0];
  BOOST_TEST(std::string{day["date"].GetString()} == "2026-03-10");
  BOOST_TEST(day.MemberCount() == 8u);
  BOOST_TEST(day["total_jobs"].GetUint64() == 3u);
  BOOST_TEST(day["completed"].GetUint64() == 2u);
  BOOST_TEST(day["failed"].GetUint64() == 1u);
  BOOST_TEST(day["cancelled"].GetUint64() == 0u);
  BOOST_TEST(day["local_jobs"].GetUint64() == 1u);
  BOOST_TEST(day["cloud_jobs"].GetUint64() == 2u);
  BOOST_TEST(day["total_cost_usd"].GetDouble() == 0.3);
}

BOOST_AUTO_TEST_CASE(no_completed_jobs_means_a_null_average) {
  rapidjson::Document d;
  d.Parse(dashboard_metrics_json(metrics_report{}).c_str());
  BOOST_TEST(d["avg_job_duration_seconds"].IsNull());
  BOOST_TEST(d["cost_by_day"].IsArray());
  BOOST_TEST(d["cost_by_day"].Size() == 0u);
  BOOST_TEST(d["total_cost"].GetDouble() == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(prometheus_exposition)

BOOST_AUTO_TEST_CASE(families_have_one_help_and_type_and_contiguous_samples) {
  server_figures f;
  f.jobs = {{job_type::cloud, job_status::running, "replicate", 2},
            {job_type::cloud, job_status::completed, "replicate", 5},
            {job_type::local, job_status::queued, std::nullopt, 1},
            {job_type::cloud, job_status::failed, "other", 1}};
  auto p = poller("replicate");
  cycle_report c;
  c.started = 1'773'144'000'000;
  c.duration_ms = 250;
  c.requests = 3;
  c.jobs_active = 2;
  c.jobs_checked = 2;
  c.jobs_changed = 1;
  c.complete = true;
  p.last_cycle = c;
  p.recovered = 3;
  p.lost = 1;
  p.sweep_interval_seconds = 300;
  f.pollers = {p};
  auto e = parse(prometheus_text(f, 1'773'000'000'500, "1.2.3"));
  // Every family has both lines; counters and only counters end in _total.
  for (const auto& [name, type] : e.type) {
    BOOST_TEST(e.help.count(name) == 1u);
    bool total = name.size() > 6 && name.substr(name.size() - 6) == "_total";
    BOOST_TEST((type == "counter") == total, name << " is " << type);
    BOOST_TEST((type == "counter" || type == "gauge"), name);
  }
  BOOST_TEST(e.help.size() == e.type.size());
  BOOST_TEST(e.samples["jobsync_build_info{version=\"1.2.3\"}"] == "1");
  BOOST_TEST(e.samples["jobsync_start_time_seconds"] == "1773000000.5");
  BOOST_TEST(e.samples["jobsync_jobs{job_type=\"cloud\",provider=\"replicate\","
                       "status=\"running\"}"]
             == "2");
  BOOST_TEST(e.samples["jobsync_jobs{job_type=\"cloud\",provider=\"replicate\","
                       "status=\"completed\"}"]
             == "5");
  // Every status is listed, zeros included.
  BOOST_TEST(e.samples["jobsync_jobs{job_type=\"cloud\",provider=\"replicate\","
                       "status=\"pending\"}"]
             == "0");
  BOOST_TEST(e.samples["jobsync_jobs{job_type=\"local\",provider=\"\","
                       "status=\"queued\"}"]
             == "1");
  BOOST_TEST(e.samples["jobsync_jobs{job_type=\"cloud\",provider=\"other\","
                       "status=\"failed\"}"]
             == "1");
  BOOST_TEST(e.samples["jobsync_jobs_active"] == "3");
  BOOST_TEST(e.samples["jobsync_poller_enabled{provider=\"replicate\"}"]
             == "1");
  BOOST_TEST(e.samples["jobsync_poller_cycles_total{provider=\"replicate\"}"]
             == "12");
  BOOST_TEST(e.type["jobsync_poller_cycles_total"] == "counter");
  BOOST_TEST(e.samples["jobsync_poller_circuit_state{provider=\"replicate\","
                       "state=\"half_open\"}"]
             == "1");
  BOOST_TEST(e.samples["jobsync_poller_circuit_state{provider=\"replicate\","
                       "state=\"closed\"}"]
             == "0");
  BOOST_TEST(e.samples["jobsync_poller_backoff_seconds{provider="
                       "\"replicate\"}"]
             == "1.5");
  BOOST_TEST(e.samples["jobsync_poller_last_cycle_duration_seconds{provider="
                       "\"replicate\"}"]
             == "0.25");
  BOOST_TEST(e.samples["jobsync_poller_last_cycle_jobs_changed{provider="
                       "\"replicate\"}"]
             == "1");
  // Webhooks being lost show here (an alert to set), lost jobs beside.
  BOOST_TEST(e.samples["jobsync_reconcile_recovered_total{provider="
                       "\"replicate\"}"]
             == "3");
  BOOST_TEST(e.type["jobsync_reconcile_recovered_total"] == "counter");
  BOOST_TEST(e.samples["jobsync_poller_jobs_lost_total{provider=\"replicate\"}"]
             == "1");
  BOOST_TEST(e.samples["jobsync_poller_sweep_interval_seconds{provider="
                       "\"replicate\"}"]
             == "300");
}

BOOST_AUTO_TEST_CASE(a_poller_lists_its_provider_before_any_job) {
  server_figures f;
  f.pollers = {poller("replicate")};
  auto e = parse(prometheus_text(f, 0, "0.1.0"));
  for (auto s : all_statuses)
    BOOST_TEST(e.samples["jobsync_jobs{job_type=\"cloud\",provider="
                         "\"replicate\",status=\""
                         + std::string{to_string(s)} + "\"}"]
               == "0");
  BOOST_TEST(e.samples["jobsync_jobs_active"] == "0");
  // No cycle has finished: its figures are absent, not zero.
  BOOST_TEST(e.type.count("jobsync_poller_last_cycle_duration_seconds") == 0u);
}

BOOST_AUTO_TEST_CASE(without_pollers_only_the_store_and_build_are_shown) {
  auto e = parse(prometheus_text(server_figures{}, 0, "0.1.0"));
  BOOST_TEST(e.type.count("jobsync_jobs") == 1u);
  BOOST_TEST(e.samples["jobsync_jobs_active"] == "0");
  for (const auto& [name, type] : e.type)
    BOOST_TEST(name.find("poller") == std::string::npos, name);
}

BOOST_AUTO_TEST_CASE(stale_jobs_per_provider_zeros_included) {
  server_figures f;
  f.pollers = {poller("replicate")};
  f.stale = std::vector<stale_tally>{{"other", 2}};
  auto e = parse(prometheus_text(f, 0, "0.1.0"));
  BOOST_TEST(e.type["jobsync_jobs_stale"] == "gauge");
  BOOST_TEST(e.samples["jobsync_jobs_stale{provider=\"replicate\"}"] == "0");
  BOOST_TEST(e.samples["jobsync_jobs_stale{provider=\"other\"}"] == "2");
  // Without the reader's answer the family is left out, not zero.
  f.stale.reset();
  BOOST_TEST(
      parse(prometheus_text(f, 0, "0.1.0")).type.count("jobsync_jobs_stale")
      == 0u);
}

BOOST_AUTO_TEST_CASE(connections_streams_and_descriptors_when_known) {
  server_figures f;
  f.connections = connection_figures{3, 40, 37, 2};
  event_stream_stats s;
  s.subscribers = 2;
  s.addresses = 1;
  s.subscriptions = 9;
  s.refused = 1;
  s.dropped_slow = 1;
  s.disconnected = 6;
  s.events = 12;
  f.events = s;
  f.open_descriptors = 17;
  auto e = parse(prometheus_text(f, 0, "0.1.0"));
  std::map<std::string, std::pair<std::string, std::string>> expected{
      {"jobsync_http_connections_open", {"gauge", "3"}},
      {"jobsync_http_connections_accepted_total", {"counter", "40"}},
      {"jobsync_http_connections_closed_total", {"counter", "37"}},
      {"jobsync_http_connections_refused_total", {"counter", "2"}},
      {"jobsync_event_streams_open", {"gauge", "2"}},
      {"jobsync_event_stream_addresses", {"gauge", "1"}},
      {"jobsync_event_streams_total", {"counter", "9"}},
      {"jobsync_event_streams_refused_total", {"counter", "1"}},
      {"jobsync_event_streams_dropped_slow_total", {"counter", "1"}},
      {"jobsync_event_streams_disconnected_total", {"counter", "6"}},
      {"jobsync_events_total", {"counter", "12"}},
      {"process_open_fds", {"gauge", "17"}},
  };
  for (const auto& [name, want] : expected) {
    BOOST_TEST(e.type[name] == want.first, name);
    BOOST_TEST(e.samples[name] == want.second, name);
  }
  // Unknown figures are left out, not shown as zeros.
  auto none = parse(prometheus_text(server_figures{}, 0, "0.1.0"));
  for (const auto& [name, want] : expected)
    BOOST_TEST(none.type.count(name) == 0u, name);
}

BOOST_AUTO_TEST_CASE(the_registry_writes_when_it_answered) {
  server_figures f;
  f.writer = writer_figures{4, 130, 2.5, 1.25};
  auto e = parse(prometheus_text(f, 0, "0.1.0"));
  std::map<std::string, std::string> expected{
      {"jobsync_store_commits_total", "4"},
      {"jobsync_store_committed_requests_total", "130"},
      {"jobsync_store_writer_busy_seconds_total", "2.5"},
      {"jobsync_store_commit_seconds_total", "1.25"},
  };
  for (const auto& [name, value] : expected) {
    BOOST_TEST(e.type[name] == "counter", name);
    BOOST_TEST(e.samples[name] == value, name);
  }
  auto none = parse(prometheus_text(server_figures{}, 0, "0.1.0"));
  for (const auto& [name, value] : expected)
    BOOST_TEST(none.type.count(name) == 0u, name);
}

BOOST_AUTO_TEST_CASE(label_values_are_escaped) {
  server_figures f;
  f.jobs = {{job_type::cloud, job_status::running, "we\"ird\\na\nme", 1}};
  auto text = prometheus_text(f, 0, "0.1.0");
  BOOST_TEST(text.find("provider=\"we\\\"ird\\\\na\\nme\"")
                 != std::string::npos,
             text);
}

BOOST_AUTO_TEST_SUITE_END()
