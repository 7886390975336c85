#include "http/callback_resource.hpp"

#include "http/auth.hpp"
#include "http/bridge.hpp"
#include "http/json_response.hpp"
#include "http/web_resource.hpp"

#include <caf/event_based_actor.hpp>

namespace jobsync::http {

namespace {

// Who may report: the holder of the configured key, or anyone on this
// machine when there is none.
std::optional<failure> refusal(const callback_config& c, const exchange& ex) {
  if (c.api_key.empty()) {
    if (is_loopback(ex.remote_address))
      return std::nullopt;
    return failure{errc::forbidden,
                   "Reports from other machines need an API key: set "
                   "providers.local.api_key here and send it as X-API-Key "
                   "(SimpleTuner's webhook auth_token)"};
  }
  auto offered = ex.header("x-api-key");
  if (!offered)
    return failure{errc::unauthorized,
                   "This server requires an X-API-Key header on reports"};
  if (!constant_time_equal(*offered, c.api_key))
    return failure{errc::unauthorized, "The X-API-Key is not valid"};
  return std::nullopt;
}

void write_outcome(json_writer& w, const trainer_outcome& o) {
  w.StartObject();
  // SimpleTuner's answer, which its trainer expects (and ignores); the
  // job fields are jobsync's.
  w.Key("message");
  w.String("Callback received successfully");
  w.Key("job_id");
  if (o.attributed) {
    w.String(o.job_id);
    w.Key("job_status");
    auto status = to_string(o.status);
    write_string(w, status);
  } else {
    w.Null();
    w.Key("job_status");
    w.Null();
  }
  w.EndObject();
}

} // namespace

handler receive_trainer_report(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    // Held for the request: a reload may swap the configuration.
    auto config = a->config();
    const auto& cfg = config->callbacks;
    if (auto refused = refusal(cfg, *ex))
      return ex->respond(error_response(*refused));
    auto event = parse_trainer_event(ex->body, cfg.limits);
    if (!event)
      return ex->respond(error_response(event.error()));
    // Like bridge.hpp's ask (the deadline keeper answers 504 for a registry
    // that does not answer in time), but the report (with its image) is
    // moved, not copied.
    auto keeper = a->deadlines();
    auto ticket = keeper->watch(ex);
    a->system().spawn(
        [ex, dest = a->actors().registry, keeper, ticket,
         e = std::move(*event)](caf::event_based_actor* self) mutable {
          self->request(dest, caf::infinite, trainer_atom::value, std::move(e))
              .then(
                  [ex, keeper, ticket](trainer_outcome& o) {
                    keeper->release(ticket);
                    ex->respond(json_response(
                        [&](json_writer& w) { write_outcome(w, o); }));
                  },
                  [ex, keeper, ticket](caf::error& e) {
                    keeper->release(ticket);
                    ex->respond(error_response(from_error(e)));
                  });
        });
  };
}

handler latest_validation_image(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->reader(),
        [ex](validation_image& x) {
          response r;
          r.content_type = "image/png";
          r.headers.emplace_back("ETag", x.image.etag);
          // A newer image may replace it at any time: revalidate each use.
          r.headers.emplace_back("Cache-Control", "no-cache");
          r.headers.emplace_back("X-Content-Type-Options", "nosniff");
          if (auto inm = ex->header("if-none-match");
              inm && etag_matches(*inm, x.image.etag)) {
            r.status = 304;
            return ex->respond(std::move(r));
          }
          r.body = std::move(x.image.bytes);
          ex->respond(std::move(r));
        },
        image_atom::value, ex->params.at("job_id"));
  };
}

} // namespace jobsync::http
