#include "http/polling_resource.hpp"

#include "http/bridge.hpp"
#include "http/error_table.hpp"
#include "http/json_response.hpp"
#include "model/trainer_rules.hpp"

namespace jobsync::http {

namespace {

void write_time(json_writer& w, const std::optional<unix_ms>& t) {
  if (t)
    w.String(format_rfc3339(*t));
  else
    w.Null();
}

void write_cycle(json_writer& w, const cycle_report& c) {
  w.StartObject();
  w.Key("started_at");
  w.String(format_rfc3339(c.started));
  w.Key("duration_ms");
  w.Int64(c.duration_ms);
  w.Key("requests");
  w.Uint64(c.requests);
  w.Key("pages");
  w.Uint64(c.pages);
  w.Key("jobs_active");
  w.Uint64(c.jobs_active);
  w.Key("jobs_checked");
  w.Uint64(c.jobs_checked);
  w.Key("jobs_changed");
  w.Uint64(c.jobs_changed);
  w.Key("jobs_recovered");
  w.Uint64(c.jobs_recovered);
  w.Key("jobs_not_found");
  w.Uint64(c.jobs_not_found);
  w.Key("jobs_lost");
  w.Uint64(c.jobs_lost);
  w.Key("sweep");
  w.Bool(c.sweep);
  w.Key("errors");
  w.Uint64(c.errors);
  w.Key("last_error");
  if (c.last_error.empty())
    w.Null();
  else
    w.String(c.last_error);
  w.Key("complete");
  w.Bool(c.complete);
  w.EndObject();
}

void write_flag(json_writer& w, const std::optional<bool>& b) {
  if (b)
    w.Bool(*b);
  else
    w.Null();
}

void write_status(json_writer& w, const poller_status& s) {
  w.StartObject();
  w.Key("provider");
  w.String(s.provider);
  w.Key("enabled");
  w.Bool(s.enabled);
  // The original's names, per provider.
  w.Key("is_active");
  w.Bool(s.enabled);
  w.Key("preference");
  write_flag(w, s.preference);
  w.Key("reason");
  w.String(s.reason);
  w.Key("interval_seconds");
  w.Int(s.interval_seconds);
  w.Key("requests_per_minute");
  w.Int(s.requests_per_minute);
  w.Key("cycle_running");
  w.Bool(s.cycle_running);
  w.Key("cycles");
  w.Uint64(s.cycles);
  w.Key("last_cycle");
  if (s.last_cycle)
    write_cycle(w, *s.last_cycle);
  else
    w.Null();
  w.Key("next_cycle_at");
  write_time(w, s.next_cycle);
  w.Key("circuit");
  w.String(s.circuit);
  w.Key("consecutive_failures");
  w.Uint(s.consecutive_failures);
  w.Key("backoff_seconds");
  w.Double(s.backoff_seconds);
  w.Key("retry_after_until");
  write_time(w, s.retry_after_until);
  w.Key("first_cycle_done");
  w.Bool(s.first_cycle_done);
  w.Key("sweep_interval_seconds");
  w.Int(s.sweep_interval_seconds);
  w.Key("reconcile_recovered");
  w.Uint64(s.recovered);
  w.Key("jobs_lost");
  w.Uint64(s.lost);
  // Which replica runs the background cycles (replicas sharing a
  // database elect one per provider).
  w.Key("replica");
  w.String(s.replica);
  w.Key("leader");
  if (s.leadership && !s.leadership->leader.empty())
    w.String(s.leadership->leader);
  else
    w.Null();
  w.Key("leading");
  w.Bool(s.leadership && s.leadership->leading);
  w.EndObject();
}

} // namespace

handler polling_status(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().overview,
        [ex](std::vector<poller_status>& all) {
          ex->respond(json_response([&](json_writer& w) {
            bool any = false;
            // The original's "polling": of cloud jobs. The local
            // provider's liveness check always runs and is not that.
            for (const auto& s : all)
              any = any || (s.enabled && s.provider != local_provider);
            // The setting for every provider is what each follows unless
            // it has its own (the liveness check takes no setting).
            std::optional<bool> common;
            const poller_status* first = nullptr;
            bool same = true;
            for (const auto& s : all) {
              if (s.provider == local_provider)
                continue;
              if (!first)
                first = &s;
              same = same && s.preference == first->preference;
            }
            if (first && same)
              common = first->preference;
            w.StartObject();
            // The original's two fields, for its clients.
            w.Key("is_active");
            w.Bool(any);
            w.Key("preference");
            write_flag(w, common);
            w.Key("providers");
            w.StartArray();
            for (const auto& s : all)
              write_status(w, s);
            w.EndArray();
            w.EndObject();
          }));
        },
        status_atom::value);
  };
}

handler polling_setting_put(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto setting = parse_polling_setting(ex->body, a->config()->poll_intervals);
    if (!setting) {
      ex->respond(error_response(setting.error()));
      return;
    }
    ask(
        *a, ex, a->actors().overview,
        [ex](polling_setting_outcome& out) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("success");
            w.Bool(true);
            w.Key("enabled");
            write_flag(w, out.enabled);
            w.Key("is_active");
            w.Bool(out.is_active);
            w.EndObject();
          }));
        },
        polling_atom::value, std::move(*setting));
  };
}

handler validate_provider(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto provider = ex->params.at("provider");
    ask(
        *a, ex, a->actors().sync,
        [ex, provider](validation& v) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("valid");
            w.Bool(v.valid);
            w.Key("provider");
            w.String(provider);
            if (v.valid) {
              w.Key("username");
              w.String(v.username);
            } else {
              w.Key("detail");
              w.String(v.detail);
            }
            w.EndObject();
          }));
        },
        validate_atom::value, provider_name{provider});
  };
}

} // namespace jobsync::http
