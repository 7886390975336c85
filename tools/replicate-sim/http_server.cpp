#include "tools/replicate-sim/http_server.hpp"

#include <restinio/all.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace jobsync::sim {

namespace {

using traits = restinio::default_traits_t;
using server_handle = restinio::running_server_handle_t<traits>;

// Thrown out of the request handler on purpose: RESTinio reacts to an
// escaping exception by closing the connection without writing anything,
// which is exactly the "drop" fault.
struct drop_connection : std::runtime_error {
  drop_connection() : std::runtime_error("dropped by fault injection") {}
};

http_request to_request(const restinio::request_handle_t& req) {
  http_request r;
  auto& h = req->header();
  r.method = h.method().c_str();
  r.path = std::string{h.path()};
  r.query = std::string{h.query()};
  h.for_each_field([&](const restinio::http_header_field_t& f) {
    auto name = f.name();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    r.headers.emplace_back(std::move(name), f.value());
  });
  r.body = req->body();
  return r;
}

void send(const restinio::request_handle_t& req, http_reply reply) {
  auto status = static_cast<std::uint16_t>(reply.status);
  auto resp = req->create_response(restinio::http_status_line_t{
      restinio::http_status_code_t{status}, reason_phrase(reply.status)});
  for (auto& [name, value] : reply.headers)
    resp.append_header(name, value);
  resp.set_body(std::move(reply.body));
  resp.done();
}

} // namespace

struct http_server::impl {
  http_server_settings settings;
  http_handler handler;
  delay_queue& delays;
  server_handle server;
  bool running = false;

  impl(http_server_settings s, http_handler h, delay_queue& d)
      : settings(std::move(s)), handler(std::move(h)), delays(d) {}

  restinio::request_handling_status_t
  on_request(const restinio::request_handle_t& req) {
    auto reply = handler(to_request(req));
    if (reply.drop)
      throw drop_connection{};
    if (reply.delay.count() > 0) {
      delays.post(reply.delay, [req, reply = std::move(reply)]() mutable {
        send(req, std::move(reply));
      });
      return restinio::request_accepted();
    }
    send(req, std::move(reply));
    return restinio::request_accepted();
  }
};

http_server::http_server(http_server_settings settings, http_handler handler,
                         delay_queue& delays)
    : impl_(std::make_unique<impl>(std::move(settings), std::move(handler),
                                   delays)) {}

http_server::~http_server() {
  stop();
}

uint16_t http_server::start(const std::function<void(uint16_t)>& on_bound) {
  auto* self = impl_.get();
  uint16_t bound = 0;
  auto settings
      = restinio::server_settings_t<traits>{}
            .address(self->settings.host)
            .port(self->settings.port)
            .request_handler([self](restinio::request_handle_t req) {
              return self->on_request(req);
            })
            .acceptor_post_bind_hook(
                [&bound, &on_bound](restinio::asio_ns::ip::tcp::acceptor& a) {
                  bound = a.local_endpoint().port();
                  if (on_bound)
                    on_bound(bound);
                })
            // Slow faults may hold a reply for minutes; RESTinio would
            // otherwise cut the connection after 10 s.
            .handle_request_timeout(std::chrono::minutes(15))
            .incoming_http_msg_limits(
                restinio::incoming_http_msg_limits_t{}.max_body_size(
                    self->settings.max_body_bytes));
  self->server = restinio::run_async<traits>(
      restinio::own_io_context(), std::move(settings), self->settings.threads);
  self->running = true;
  return bound;
}

void http_server::stop() {
  if (!impl_ || !impl_->running)
    return;
  impl_->running = false;
  impl_->server->stop();
  impl_->server->wait();
  impl_->server.reset();
}

} // namespace jobsync::sim
