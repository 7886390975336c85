#include "http/health_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"

namespace jobsync::http {

handler healthz() {
  return [](const exchange_ptr& ex) {
    ex->respond(json_response([](json_writer& w) {
      w.StartObject();
      w.Key("status");
      w.String("ok");
      w.EndObject();
    }));
  };
}

handler readyz(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    ask(
        *a, ex, a->actors().overview,
        [ex](readiness& r) {
          if (!r.ready)
            return ex->respond(
                error_response(errc::unavailable, "Not ready: " + r.reason));
          ex->respond(json_response([&](json_writer& w) {
            w.StartObject();
            w.Key("status");
            w.String("ready");
            w.EndObject();
          }));
        },
        ready_atom::value);
  };
}

} // namespace jobsync::http
