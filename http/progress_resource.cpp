#include "http/progress_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"

namespace jobsync::http {

handler inline_progress(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().sync,
        [ex](job_progress& p) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("job_id");
            w.String(p.job_id);
            w.Key("stage");
            write_optional(w, p.progress.stage);
            w.Key("last_log");
            write_optional(w, p.progress.last_log);
            w.Key("progress");
            write_optional(w, p.progress.progress);
            // Figures only a local job's trainer reports; absent otherwise,
            // so the answer for cloud jobs is as the seed's clients know it.
            const auto& x = p.progress;
            if (x.step && x.total_steps) {
              w.Key("step");
              w.Int64(*x.step);
              w.Key("total_steps");
              w.Int64(*x.total_steps);
            }
            for (auto [key, value] : {std::pair{"eta_seconds", x.eta_seconds},
                                      {"loss", x.loss},
                                      {"learning_rate", x.learning_rate}}) {
              if (value) {
                w.Key(key);
                w.Double(*value);
              }
            }
            w.EndObject();
          }));
        },
        progress_atom::value, job_ref{ex->params.at("job_id")});
  };
}

handler job_logs(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().sync,
        [ex](job_log_text& l) {
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("job_id");
            w.String(l.job_id);
            w.Key("logs");
            w.String(l.text);
            // Where the text came from: the provider's full log, or the
            // tail this server keeps when the provider cannot be reached.
            w.Key("source");
            w.String(l.from_provider ? "provider" : "stored_tail");
            if (!l.note.empty()) {
              w.Key("detail");
              w.String(l.note);
            }
            w.EndObject();
          }));
        },
        logs_atom::value, job_ref{ex->params.at("job_id")});
  };
}

} // namespace jobsync::http
