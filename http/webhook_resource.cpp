#include "http/webhook_resource.hpp"

#include "http/bridge.hpp"
#include "http/json_response.hpp"

namespace jobsync::http {

namespace {

void write_outcome(json_writer& w, const webhook_outcome& o) {
  w.StartObject();
  w.Key("status");
  w.String(o.duplicate ? "duplicate" : "received");
  w.Key("job_id");
  // A duplicate of a delivery whose job was deleted since names no job.
  if (o.job_id.empty()) {
    w.Null();
    w.Key("job_status");
    w.Null();
  } else {
    w.String(o.job_id);
    w.Key("job_status");
    auto status = to_string(o.status);
    write_string(w, status);
  }
  w.Key("created");
  w.Bool(o.created);
  w.Key("changed");
  w.Bool(o.changed);
  w.EndObject();
}

} // namespace

handler receive_webhook(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    const auto& provider = ex->params.at("provider");
    auto receiver = a->actors().webhooks.find(provider);
    if (receiver == a->actors().webhooks.end())
      return ex->respond(error_response(errc::not_found,
                                        "Unknown provider '" + provider + "'"));
    webhook_request r;
    r.body = ex->body;
    r.id = ex->header("webhook-id");
    r.timestamp = ex->header("webhook-timestamp");
    r.signature = ex->header("webhook-signature");
    r.remote_address = ex->remote_address;
    // Answered by the registry once the delivery is committed (or by the
    // receiver when it refuses it), straight to the socket.
    ask_direct(
        *a, ex, receiver->second,
        [ex](webhook_outcome& o) {
          ex->respond(
              json_response([&](json_writer& w) { write_outcome(w, o); }));
        },
        webhook_atom::value, std::move(r));
  };
}

} // namespace jobsync::http
