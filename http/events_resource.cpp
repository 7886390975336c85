#include "http/events_resource.hpp"

#include "http/bridge.hpp"
#include "http/query.hpp"

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace jobsync::http {

namespace {

// The hub's view of one HTTP stream. Only the hub calls it (open, write,
// close from its thread); the stream counts what is still unsent.
class stream_output final : public event_output {
public:
  stream_output(exchange_ptr ex, std::function<void()> on_broken)
      : ex_(std::move(ex)), on_broken_(std::move(on_broken)) {}

  bool open() override {
    if (!ex_)
      return false;
    stream_ = ex_->open_stream(event_stream_headers(), std::move(on_broken_));
    ex_.reset();
    return stream_ != nullptr;
  }

  void write(std::shared_ptr<const std::string> bytes) override {
    if (stream_)
      stream_->write(std::move(bytes));
  }

  size_t unflushed() const override {
    return stream_ ? stream_->unflushed() : 0;
  }

  void close(std::function<void()> done) override {
    ex_.reset();
    if (!stream_) {
      if (done)
        done();
      return;
    }
    stream_->finish([done = std::move(done)](bool) {
      if (done)
        done();
    });
    stream_.reset();
  }

private:
  exchange_ptr ex_;
  // Handed to the stream when it opens: the hub hears of a broken
  // connection even if the connection's close notice came before it
  // subscribed.
  std::function<void()> on_broken_;
  std::shared_ptr<stream> stream_;
};

failure empty_parameter(std::string_view name) {
  return {errc::bad_request,
          "Invalid " + std::string{name} + " '': must not be empty"};
}

} // namespace

result<events_request>
parse_events_request(std::string_view raw_query,
                     const std::optional<std::string>& last_event_id_header) {
  auto params = query_params::parse(raw_query);
  if (!params)
    return params.error();
  events_request out;
  if (last_event_id_header && !last_event_id_header->empty())
    out.last_event_id = *last_event_id_header;
  else if (auto v = params->get("lastEventId"); v && !v->empty())
    out.last_event_id = std::string{*v};
  if (auto v = params->get("job_id")) {
    if (v->empty())
      return empty_parameter("job_id");
    out.job_id = std::string{*v};
  }
  if (auto v = params->get("provider")) {
    if (v->empty())
      return empty_parameter("provider");
    out.provider = std::string{*v};
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> event_stream_headers() {
  return {{"Content-Type", "text/event-stream"},
          {"Cache-Control", "no-cache"},
          {"X-Accel-Buffering", "no"}};
}

handler events(std::shared_ptr<const api> a) {
  return [a](const exchange_ptr& ex) {
    auto parsed = parse_events_request(ex->query, ex->header("last-event-id"));
    if (!parsed)
      return ex->respond(error_response(parsed.error()));
    const auto& hub = a->actors().events;
    if (!hub)
      return ex->respond(
          error_response(errc::unavailable, "Live events are not available"));
    auto hub_addr = caf::actor_cast<caf::actor_addr>(hub);
    auto connection = ex->connection_id;
    event_subscription s;
    s.output = std::make_shared<stream_output>(ex, [hub_addr, connection] {
      if (auto h = caf::actor_cast<sse_hub_actor>(hub_addr))
        caf::anon_send(h, unsubscribe_atom::value, connection);
    });
    s.connection_id = connection;
    s.remote_address = ex->remote_address;
    s.last_event_id = std::move(parsed->last_event_id);
    s.job_id = std::move(parsed->job_id);
    s.provider = std::move(parsed->provider);
    // The hub answers by opening the stream; only a refusal is answered
    // here (through the error table).
    ask(
        *a, ex, hub, [](uint64_t) {}, subscribe_atom::value, std::move(s));
  };
}

} // namespace jobsync::http
