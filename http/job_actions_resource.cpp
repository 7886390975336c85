#include "http/job_actions_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"
#include "model/job_json.hpp"

namespace jobsync::http {

handler sync_jobs(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().sync,
        [ex](sync_report& r) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("synced");
            w.Uint64(r.synced);
            w.Key("updated");
            w.Uint64(r.updated);
            w.Key("message");
            w.String("Discovered " + std::to_string(r.synced)
                     + " new jobs from " + r.provider_label);
            w.EndObject();
          }));
        },
        sync_atom::value);
  };
}

handler cancel_job(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().sync,
        [ex, a](job& x) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("success");
            w.Bool(true);
            w.Key("job_id");
            w.String(x.job_id);
            w.Key("status");
            write_string(w, to_string(x.status));
            w.Key("job");
            write_job(w, x, now_ms(), a->config()->staleness);
            w.EndObject();
          }));
        },
        cancel_atom::value, job_ref{ex->params.at("job_id")});
  };
}

} // namespace jobsync::http
