#include "http/server.hpp"

#include "http/connection_callback.hpp"
#include "http/connection_ledger.hpp"
#include "http/direct_line.hpp"
#include "http/direct_writers.hpp"
#include "http/error_table.hpp"
#include "http/malformed_request.hpp"
#include "http/query.hpp"
#include "http/sweeping_timers.hpp"
#include "http/write_tally.hpp"
#include "logging/log.hpp"

#include <http_parser.h>
#include <restinio/all.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_set>
#include <utility>

namespace jobsync::http {

namespace {

// URLs (and headers) up to this size are parsed and answered; http_parser's
// compiled-in default is 80 KiB.
constexpr uint32_t max_header_bytes = 1u << 20;

// Longer request targets get a 400 instead of being processed.
constexpr size_t max_target_bytes = 16384;

// Keeps the set of open connections (accepted, not yet closed) and reports
// each close once. RESTinio 0.6.16 can report one connection closed twice:
// connection_t::close() sends a `closed` notice on every call, and when a
// client resets a connection while a write is in flight (an event stream),
// the read and the write both complete with an error before either handler
// runs, so each of them calls close(). Counting notices instead of
// connections made the open count wrap below zero, and the gate below then
// refused every new connection for good.
class connection_listener {
public:
  connection_listener(std::shared_ptr<connection_counters> counters,
                      std::function<void(uint64_t)> on_closed)
      : counters_(std::move(counters)), on_closed_(std::move(on_closed)) {}

  const connection_counters& counters() const {
    return *counters_;
  }

  void count_refused() const noexcept {
    ++counters_->refused;
  }

  void state_changed(const restinio::connection_state::notice_t& n) noexcept {
    namespace cs = restinio::connection_state;
    auto id = n.connection_id();
    if (restinio::holds_alternative<cs::accepted_t>(n.cause())) {
      std::lock_guard<std::mutex> guard{mtx_};
      if (open_.insert(id).second) {
        ++counters_->accepted;
        counters_->open = open_.size();
      }
      return;
    }
    if (!restinio::holds_alternative<cs::closed_t>(n.cause()))
      return;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      if (open_.erase(id) == 0)
        return; // a repeated notice of a connection already closed
      ++counters_->closed;
      counters_->open = open_.size();
    }
    if (on_closed_) {
      try {
        on_closed_(id);
      } catch (...) {
        // A listener must not throw into RESTinio's I/O loop.
      }
    }
  }

private:
  std::shared_ptr<connection_counters> counters_;
  std::function<void(uint64_t)> on_closed_;
  std::mutex mtx_;
  std::unordered_set<uint64_t> open_;
};

// Closes a newly accepted connection when `max_connections` are open, so
// descriptors never run out: RESTinio 0.6.16's acceptor does not retry a
// failed accept, and one "too many open files" would leave the server deaf
// for good. (Its connection-count limiter would queue clients instead, but
// a connection alive at shutdown then touches the freed limiter.)
struct connection_gate {
  std::shared_ptr<const connection_listener> listener;
  size_t max_connections = 0;

  restinio::ip_blocker::inspection_result_t
  inspect(const restinio::ip_blocker::incoming_info_t&) const noexcept {
    if (listener->counters().open.load() < max_connections)
      return restinio::ip_blocker::allow();
    listener->count_refused();
    return restinio::ip_blocker::deny();
  }
};

// RESTinio 0.6.16 closes a connection whose bytes http_parser refuses
// (`HELLO WORLD`, `Content-Length: abc`, a header over the limit) without
// a word: no handler runs and its connection class has no hook. What it
// does do, on the connection's strand and in this order, is log the parser
// error and then shut the socket down. The logger below turns that line
// into a pending refusal for this thread, and the socket type writes the
// refusal when RESTinio shuts it down, right after.
thread_local std::string refusal_for_this_thread;

// The most bytes of a refused request read and dropped before the close.
constexpr size_t max_drained_bytes = size_t{16} << 20;

class refusing_logger {
public:
  explicit refusing_logger(std::shared_ptr<const connection_ledger> ledger)
      : ledger_(std::move(ledger)) {}

  template <class Builder>
  void trace(Builder&&) const noexcept {}

  template <class Builder>
  void info(Builder&&) const noexcept {}

  template <class Builder>
  void warn(Builder&&) const noexcept {}

  template <class Builder>
  void error(Builder&& builder) const {
    auto line = builder();
    auto bad = malformed_request_of(line);
    if (!bad)
      return;
    // A connection that still owes a response keeps RESTinio's plain close:
    // a refusal written now would cut into that response.
    if (ledger_->idle(bad->connection_id))
      refusal_for_this_thread = bad_request_bytes(bad->detail);
  }

private:
  std::shared_ptr<const connection_ledger> ledger_;
};

// The completion of a socket operation: runs the handler it wraps with the
// connection's callback marked and, for a read, its line current. asio asks
// it for the wrapped handler's executor (the connection's strand), so it
// runs where that handler would, without a strand of its own to copy.
template <class Handler>
class marked_completion {
public:
  using executor_type = asio::associated_executor_t<Handler>;

  marked_completion(Handler h, const connection_callback* callback,
                    std::shared_ptr<direct_line> line)
      : h_(std::move(h)), callback_(callback), line_(std::move(line)) {}

  executor_type get_executor() const noexcept {
    return asio::get_associated_executor(h_);
  }

  void operator()(const asio::error_code& ec, std::size_t n) {
    std::optional<current_line_scope> scope;
    if (line_)
      scope.emplace(line_);
    connection_callback_scope running{*callback_};
    h_(ec, n);
  }

private:
  Handler h_;
  const connection_callback* callback_;
  std::shared_ptr<direct_line> line_;
};

class refusing_socket : public asio::ip::tcp::socket {
public:
  using base = asio::ip::tcp::socket;
  using base::base;

  // The acceptor moves a new socket into its connection before any read,
  // so no line exists yet; replacing a socket is never needed.
  refusing_socket(refusing_socket&&) = default;
  refusing_socket& operator=(refusing_socket&&) = delete;

  ~refusing_socket() {
    if (line_)
      line_->detach();
  }

  // Each read completion (where RESTinio parses requests and runs their
  // handlers) runs with this socket's line as the thread's current one, so
  // an event stream opened by a handler can write the socket directly. The
  // completion stays on the executor (the connection's strand) it was
  // bound to.
  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (!line_)
      line_ = std::make_shared<direct_line>(native_handle());
    const auto* callback = callback_for(handler);
    base::async_read_some(buffers,
                          marked_completion<std::decay_t<Handler>>{
                              std::forward<Handler>(handler), callback, line_});
  }

  // A write's completion is marked too: RESTinio reads the requests
  // already received there, and runs their handlers
  // (http/connection_callback.hpp).
  template <class Buffers, class Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    const auto* callback = callback_for(handler);
    base::async_write_some(buffers,
                           marked_completion<std::decay_t<Handler>>{
                               std::forward<Handler>(handler), callback, {}});
  }

  // Hide the base's: the line lets go of the descriptor first.
  void close() {
    if (line_)
      line_->detach();
    base::close();
  }

  void close(asio::error_code& ec) {
    if (line_)
      line_->detach();
    base::close(ec);
  }

  // RESTinio's acceptor asks `lowest_layer().remote_endpoint()` twice per
  // connection, the second time inside the noexcept IP-blocker hook: a
  // client that resets in between made asio throw there, and the server
  // died in std::terminate. Asked through this type, the peer of a socket
  // that is already gone is the unspecified endpoint instead; such a
  // connection fails its first read and closes like any other.
  refusing_socket& lowest_layer() {
    return *this;
  }

  const refusing_socket& lowest_layer() const {
    return *this;
  }

  endpoint_type remote_endpoint() const {
    asio::error_code ignored;
    return base::remote_endpoint(ignored);
  }

  // Hides the base's overload: RESTinio calls it by this type.
  void shutdown(shutdown_type what, asio::error_code& ec) {
    if (!refusal_for_this_thread.empty()) {
      std::string refusal;
      refusal.swap(refusal_for_this_thread);
      send_refusal(refusal);
    }
    base::shutdown(what, ec);
  }

private:
  std::shared_ptr<direct_line> line_;
  // Made at the first read (RESTinio binds every operation of a connection
  // to its one strand), and alive while a completion runs: the connection
  // that holds the socket is held by the completion's handler.
  std::optional<connection_callback> callback_;

  template <class Handler>
  const connection_callback* callback_for(const Handler& handler) {
    if (!callback_)
      callback_.emplace(connection_callback{
          this, asio::get_associated_executor(handler, get_executor())});
    return &*callback_;
  }

  void send_refusal(const std::string& bytes) {
    auto fd = native_handle();
    // Never blocks an I/O thread: nothing else is queued on an idle
    // connection, so the few hundred bytes fit the socket buffer.
    if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
      return;
    // Closing a socket with unread bytes sends a reset, which can destroy
    // the answer before the client reads it: read what has arrived.
    ::shutdown(fd, SHUT_WR);
    char sink[16384];
    for (size_t drained = 0; drained < max_drained_bytes;) {
      auto n = ::recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
      if (n <= 0)
        break;
      drained += static_cast<size_t>(n);
    }
  }
};

struct traits : restinio::default_traits_t {
  // The express router runs inside a handler of ours, which answers for it
  // when it throws (it does on malformed percent-escapes in the path).
  using request_handler_t = restinio::default_request_handler_t;
  using connection_state_listener_t = connection_listener;
  using ip_blocker_t = connection_gate;
  using logger_t = refusing_logger;
  using stream_socket_t = refusing_socket;
  // One timer for all connections instead of one each.
  using timer_manager_t = sweeping_timer_manager;
};

using router_t = restinio::router::express_router_t<>;

const char* reason_phrase(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 201:
    return "Created";
  case 202:
    return "Accepted";
  case 204:
    return "No Content";
  case 304:
    return "Not Modified";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 409:
    return "Conflict";
  case 413:
    return "Payload Too Large";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  }
  return "Unknown";
}

restinio::http_status_line_t status_line(int status) {
  return restinio::http_status_line_t{
      restinio::http_status_code_t{static_cast<uint16_t>(status)},
      reason_phrase(status)};
}

// Tells the ledger when a response of a connection has been written.
std::function<void(const asio::error_code&)>
on_written(std::shared_ptr<connection_ledger> ledger, uint64_t connection_id) {
  return [ledger = std::move(ledger), connection_id](const asio::error_code&) {
    ledger->response_written(connection_id);
  };
}

// The chunked body of a streaming response. RESTinio writes the head and
// the first chunk; once they are out, and when the connection's socket is
// known, every later chunk goes to the socket through the direct writers
// (a fan-out's cost was RESTinio's write path), and the end goes back
// through RESTinio after the last of them.
class chunked_stream final : public stream {
public:
  using builder_t = restinio::response_builder_t<restinio::chunked_output_t>;
  using written_t = std::function<void(const asio::error_code&)>;

  chunked_stream(builder_t builder, written_t written,
                 std::function<void()> on_broken,
                 std::shared_ptr<direct_line> line,
                 std::shared_ptr<direct_writers> writers)
      : state_(
          std::make_shared<state>(std::move(builder), std::move(written),
                                  write_tally::make(std::move(on_broken)))),
        line_(std::move(line)), writers_(std::move(writers)) {}

  void write(std::shared_ptr<const std::string> bytes) override {
    std::lock_guard<std::mutex> guard{state_->mtx};
    if (state_->closed || !bytes)
      return;
    auto n = bytes->size();
    auto* tally = state_->tally;
    // RESTinio has written everything it was given (the head with it):
    // from here on the bytes go straight to the socket.
    if (!direct_ && line_ && writers_ && wrote_through_restinio_
        && tally->unflushed() == 0)
      direct_ = writers_->open(line_, tally, keep_open(state_));
    tally->queued(n);
    if (direct_)
      return writers_->write(direct_, std::move(bytes));
    wrote_through_restinio_ = true;
    // RESTinio keeps the shared buffer alive until it is written.
    state_->builder.append_chunk(restinio::writable_item_t{std::move(bytes)});
    state_->builder.flush(write_notice{tally, n});
  }

  size_t unflushed() const override {
    return state_->tally->unflushed();
  }

  void finish(std::function<void(bool)> done) override {
    std::shared_ptr<direct_body> direct;
    {
      std::lock_guard<std::mutex> guard{state_->mtx};
      if (state_->closed) {
        if (done)
          done(false);
        return;
      }
      state_->closed = true;
      direct = std::move(direct_);
    }
    // The end is written by RESTinio after the last direct chunk is sent.
    auto end = [s = state_, done = std::move(done)] {
      std::lock_guard<std::mutex> guard{s->mtx};
      s->builder.done([done = std::move(done), written = std::move(s->written)](
                          const asio::error_code& ec) {
        written(ec);
        if (done)
          done(!ec);
      });
    };
    if (direct)
      writers_->finish(direct, std::move(end));
    else
      end();
  }

private:
  // What RESTinio writes and the direct writers' keep-open calls share.
  // RESTinio's builders are not thread-safe, hence the mutex.
  struct state {
    state(builder_t b, written_t w, write_tally* t)
        : builder(std::move(b)), written(std::move(w)), tally(t) {}

    ~state() {
      tally->release();
    }

    std::mutex mtx;
    builder_t builder;
    written_t written;
    write_tally* tally;
    bool closed = false;
  };

  // A write of nothing through RESTinio: it restarts the connection's
  // request timer, which only RESTinio's own writes do.
  static std::function<void()> keep_open(const std::shared_ptr<state>& s) {
    return [weak = std::weak_ptr<state>{s}] {
      auto s = weak.lock();
      if (!s)
        return;
      std::lock_guard<std::mutex> guard{s->mtx};
      if (s->closed)
        return;
      s->tally->queued(0);
      s->builder.flush(write_notice{s->tally, 0});
    };
  }

  std::shared_ptr<state> state_;
  std::shared_ptr<direct_line> line_;
  std::shared_ptr<direct_writers> writers_;
  std::shared_ptr<direct_body> direct_;
  bool wrote_through_restinio_ = false;
};

// The stream of a HEAD request: the headers are sent, and the first write
// is told at once that nothing can be written, so the writer lets go.
class headers_only_stream final : public stream {
public:
  explicit headers_only_stream(std::function<void()> on_broken)
      : on_broken_(std::move(on_broken)) {}

  void write(std::shared_ptr<const std::string>) override {
    if (auto f = std::exchange(on_broken_, nullptr))
      f();
  }

  size_t unflushed() const override {
    return 0;
  }

  void finish(std::function<void(bool)> done) override {
    if (done)
      done(true);
  }

private:
  std::function<void()> on_broken_;
};

class restinio_exchange final : public exchange {
public:
  restinio_exchange(restinio::request_handle_t req,
                    std::shared_ptr<connection_ledger> ledger,
                    std::shared_ptr<direct_writers> writers)
      : req_(std::move(req)), ledger_(std::move(ledger)),
        writers_(std::move(writers)), line_(current_line()) {
    const auto& head = req_->header();
    method = head.method().c_str();
    path = std::string{head.path()};
    query = std::string{head.query()};
    body = req_->body();
    remote_address = req_->remote_endpoint().address().to_string();
    connection_id = req_->connection_id();
    head_only_ = head.method() == restinio::http_method_head();
    if (const auto* c = running_callback())
      socket_ = c->socket;
    ledger_->request_started(connection_id);
  }

  // A handler that lost its exchange (a callback that never ran) would
  // leave the client waiting until the request timeout, then cut off.
  ~restinio_exchange() override {
    if (answered_.load())
      return;
    log::error("http", "{} {} was dropped without an answer", method, path);
    try {
      respond(error_response(errc::internal,
                             "The server dropped this request without an "
                             "answer"));
    } catch (...) {
      // The connection is already gone: nobody is left to answer.
    }
  }

  std::optional<std::string> header(std::string_view name) const override {
    auto v = req_->header().opt_value_of(
        restinio::string_view_t{name.data(), name.size()});
    if (!v)
      return std::nullopt;
    return std::string{v->data(), v->size()};
  }

  void respond(response r) override {
    if (answered_.exchange(true))
      return;
    if (head_only_) {
      // The headers of the GET answer, its Content-Length included, and
      // no body.
      auto out = req_->create_response<restinio::user_controlled_output_t>(
          status_line(r.status));
      out.append_header(restinio::http_field::content_type, r.content_type);
      for (auto& [k, v] : r.headers)
        out.append_header(k, v);
      out.set_content_length(r.body.size());
      return finish(std::move(out));
    }
    auto out = req_->create_response(status_line(r.status));
    out.append_header(restinio::http_field::content_type, r.content_type);
    for (auto& [k, v] : r.headers)
      out.append_header(k, v);
    out.set_body(std::move(r.body));
    finish(std::move(out));
  }

  std::shared_ptr<stream>
  open_stream(std::vector<std::pair<std::string, std::string>> headers,
              std::function<void()> on_broken) override {
    if (answered_.exchange(true))
      return nullptr;
    if (head_only_) {
      auto out = req_->create_response<restinio::user_controlled_output_t>();
      for (auto& [k, v] : headers)
        out.append_header(k, v);
      out.done(on_written(ledger_, connection_id));
      return std::make_shared<headers_only_stream>(std::move(on_broken));
    }
    auto out = req_->create_response<restinio::chunked_output_t>();
    for (auto& [k, v] : headers)
      out.append_header(k, v);
    out.flush();
    return std::make_shared<chunked_stream>(
        std::move(out), on_written(ledger_, connection_id),
        std::move(on_broken), line_, writers_);
  }

  bool answered() const override {
    return answered_.load();
  }

private:
  // Hands the response to RESTinio, through the connection's strand when
  // made inside a callback of its own connection (a handler that answers
  // at once) while other requests of the connection are owed
  // (http/connection_callback.hpp). Alone, it is written at once: a
  // request that is not HTTP behind it closes the connection before
  // anything posted runs.
  template <class Output>
  void finish(restinio::response_builder_t<Output> out) {
    auto written = on_written(ledger_, connection_id);
    const auto* running = running_callback();
    if (running == nullptr || running->socket != socket_
        || ledger_->owed(connection_id) <= 1) {
      out.done(std::move(written));
      return;
    }
    auto pending = std::make_shared<restinio::response_builder_t<Output>>(
        std::move(out));
    asio::post(running->strand, [pending, written = std::move(written)] {
      pending->done(written);
    });
  }

  restinio::request_handle_t req_;
  std::shared_ptr<connection_ledger> ledger_;
  std::shared_ptr<direct_writers> writers_;
  // The socket whose callback parsed the request (an identity only).
  const void* socket_ = nullptr;
  // The connection's socket, when this request was parsed from a read
  // (http/direct_line.hpp); empty otherwise, and its stream then stays
  // with RESTinio.
  std::shared_ptr<direct_line> line_;
  bool head_only_ = false;
  std::atomic<bool> answered_{false};
};

// Paths match case-sensitively, as in SimpleTuner's server (RFC 3986: a
// path is case-sensitive). RESTinio's default folds case, which std::regex
// does through the locale for every character of every route it tries.
restinio::path2regex::options_t route_options() {
  return restinio::path2regex::options_t{}.sensitive(true);
}

// The names of the `:name` parameters of an express pattern.
std::vector<std::string> parameter_names(const std::string& pattern) {
  std::vector<std::string> names;
  for (size_t i = pattern.find(':'); i != std::string::npos;
       i = pattern.find(':', i + 1)) {
    auto end = pattern.find_first_of("/(", i);
    names.push_back(pattern.substr(
        i + 1, end == std::string::npos ? std::string::npos : end - i - 1));
  }
  return names;
}

restinio::http_method_id_t method_id(const std::string& method) {
  if (method == "GET")
    return restinio::http_method_get();
  if (method == "POST")
    return restinio::http_method_post();
  if (method == "DELETE")
    return restinio::http_method_delete();
  if (method == "PUT")
    return restinio::http_method_put();
  if (method == "PATCH")
    return restinio::http_method_patch();
  throw std::invalid_argument{"a route names the unknown method " + method};
}

// Lets every method through: the path alone decides.
struct any_method final : restinio::router::method_matcher_t {
  bool match(const restinio::http_method_id_t&) const noexcept override {
    return true;
  }
};

// The route table's patterns with the methods served at each, to tell a
// path served with other methods (405 with Allow) from an unknown one.
class path_table {
public:
  void add(const std::string& method, const std::string& pattern) {
    auto known = patterns_.find(pattern);
    if (known != patterns_.end()) {
      entries_[known->second].methods.insert(method);
      return;
    }
    patterns_.emplace(pattern, entries_.size());
    entries_.push_back(
        {entry_t{any_method{}, pattern, route_options(), {}}, {method}});
  }

  // The value of `Allow` for this path (every method some route serves
  // there, HEAD with GET); empty when no route has this path.
  std::string allowed(const restinio::http_request_header_t& head) const {
    std::set<std::string> methods;
    for (const auto& e : entries_) {
      restinio::router::impl::target_path_holder_t target{head.path()};
      restinio::router::route_params_t params;
      if (e.matcher.match(head, target, params))
        methods.insert(e.methods.begin(), e.methods.end());
    }
    if (methods.count("GET"))
      methods.insert("HEAD");
    std::string out;
    for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
      if (methods.count(m))
        out += (out.empty() ? "" : ", ") + std::string{m};
    return out;
  }

private:
  using entry_t = restinio::router::generic_express_route_entry_t<
      restinio::router::std_regex_engine_t, restinio::no_extra_data_factory_t>;
  struct entry {
    entry_t matcher;
    std::set<std::string> methods;
  };
  std::vector<entry> entries_;
  std::map<std::string, size_t> patterns_;
};

// Runs a handler so that every request gets exactly one answer, whatever
// happens inside.
void run_guarded(const exchange_ptr& ex, const handler& fn,
                 size_t max_body_bytes) {
  try {
    if (ex->body.size() > max_body_bytes)
      return ex->respond(error_response(
          errc::payload_too_large, "The request body has "
                                       + std::to_string(ex->body.size())
                                       + " bytes; this route accepts at most "
                                       + std::to_string(max_body_bytes)));
    fn(ex);
  } catch (const std::exception& e) {
    log::error("http", "{} {} failed: {}", ex->method, ex->path, e.what());
    ex->respond(error_response(errc::internal,
                               "The server failed to handle this request"));
  } catch (...) {
    log::error("http", "{} {} failed with an unknown exception", ex->method,
               ex->path);
    ex->respond(error_response(errc::internal,
                               "The server failed to handle this request"));
  }
}

std::unique_ptr<router_t> make_router(std::vector<route> routes,
                                      std::shared_ptr<server_config> config,
                                      std::shared_ptr<connection_ledger> ledger,
                                      std::shared_ptr<direct_writers> writers) {
  auto router = std::make_unique<router_t>();
  auto paths = std::make_shared<path_table>();
  for (auto& r : routes) {
    paths->add(r.method, r.pattern);
    auto names = parameter_names(r.pattern);
    auto limit
        = r.max_body_bytes > 0 ? r.max_body_bytes : config->max_body_bytes;
    auto fn = [fn = std::move(r.fn), names, limit, ledger,
               writers](restinio::request_handle_t req,
                        restinio::router::route_params_t params) {
      auto ex = std::make_shared<restinio_exchange>(std::move(req), ledger,
                                                    writers);
      for (const auto& name : names) {
        auto raw = params[name];
        auto decoded = percent_decode({raw.data(), raw.size()}, false);
        if (!decoded) {
          ex->respond(error_response(
              errc::bad_request,
              "Malformed percent-escape in the path parameter '" + name + "'"));
          return restinio::request_accepted();
        }
        ex->params.emplace(name, std::move(*decoded));
      }
      run_guarded(ex, fn, limit);
      return restinio::request_accepted();
    };
    // Every GET route answers HEAD too: the same headers, no body.
    if (r.method == "GET")
      router->add_handler(
          restinio::router::any_of_methods(restinio::http_method_get(),
                                           restinio::http_method_head()),
          r.pattern, route_options(), std::move(fn));
    else
      router->add_handler(method_id(r.method), r.pattern, route_options(),
                          std::move(fn));
  }
  router->non_matched_request_handler([config, ledger, writers,
                                       paths](restinio::request_handle_t req) {
    auto allowed = paths->allowed(req->header());
    auto ex
        = std::make_shared<restinio_exchange>(std::move(req), ledger, writers);
    run_guarded(
        ex,
        [&allowed](const exchange_ptr& x) {
          if (allowed.empty())
            return x->respond(error_response(
                errc::not_found, "No route for " + x->method + " " + x->path));
          auto r = error_response(errc::method_not_allowed,
                                  x->path + " does not serve " + x->method
                                      + "; it serves " + allowed);
          r.headers.emplace_back("Allow", allowed);
          x->respond(std::move(r));
        },
        config->max_body_bytes);
    return restinio::request_accepted();
  });
  return router;
}

// Runs the router; a request it cannot even match (a malformed path) gets
// a 400 instead of a closed connection.
restinio::default_request_handler_t
guard_router(std::shared_ptr<router_t> router,
             std::shared_ptr<connection_ledger> ledger,
             std::shared_ptr<direct_writers> writers) {
  return [router, ledger, writers](restinio::request_handle_t req) {
    // std::regex recurses per character: a huge path would overflow the
    // stack inside the router, so long targets are refused before it.
    const auto& head = req->header();
    if (head.path().size() + head.query().size() > max_target_bytes) {
      auto ex = std::make_shared<restinio_exchange>(std::move(req), ledger,
                                                    writers);
      ex->respond(error_response(errc::bad_request,
                                 "The request URL is longer than "
                                     + std::to_string(max_target_bytes)
                                     + " bytes"));
      return restinio::request_accepted();
    }
    try {
      return (*router)(req);
    } catch (const std::exception& e) {
      auto ex = std::make_shared<restinio_exchange>(std::move(req), ledger,
                                                    writers);
      ex->respond(error_response(
          errc::bad_request,
          std::string{
              "The request path is malformed (check its percent-escapes): "}
              + e.what()));
      return restinio::request_accepted();
    }
  };
}

} // namespace

struct server::impl {
  using instance_t = restinio::running_server_handle_t<traits>;
  instance_t instance;
  std::shared_ptr<direct_writers> writers;
  std::atomic<uint16_t> port{0};
  bool stopped = false;
};

server::server(std::unique_ptr<impl> x) : impl_(std::move(x)) {}

server::~server() {
  stop();
}

uint16_t server::port() const {
  return impl_->port.load();
}

void server::stop() {
  if (impl_->stopped || !impl_->instance)
    return;
  impl_->stopped = true;
  impl_->instance->stop();
  impl_->instance->wait();
  // After the connections: their sockets have let go of their lines.
  impl_->writers->stop();
}

result<void> server_config::validate() const {
  if (threads < 1)
    return failure{errc::bad_request, "the server needs an I/O thread"};
  if (max_connections < 1)
    return failure{errc::bad_request,
                   "the server must allow at least one connection"};
  if (request_timeout.count() <= 0)
    return failure{errc::bad_request, "the request timeout must be positive"};
  return {};
}

namespace {

// How long a response may take to be written (a stalled SSE reader's
// stream is closed after it).
constexpr std::chrono::seconds write_timelimit{30};

std::chrono::steady_clock::duration
timeout_check_period(std::chrono::steady_clock::duration request_timeout) {
  auto shortest = std::min<std::chrono::steady_clock::duration>(
      request_timeout, write_timelimit);
  return std::clamp<std::chrono::steady_clock::duration>(
      shortest / 10, std::chrono::milliseconds{100}, std::chrono::seconds{5});
}

} // namespace

result<std::unique_ptr<server>> server::start(server_config config,
                                              std::vector<route> routes) {
  if (auto ok = config.validate(); !ok)
    return ok.error();
  http_parser_set_max_header_size(max_header_bytes);
  auto shared_config = std::make_shared<server_config>(config);
  // RESTinio's own limit, twice the largest route limit: a body above it
  // is cut off by RESTinio (the connection closes without an answer), one
  // below it and above its route's limit gets a 413. RESTinio reads a body
  // whole before any route sees it, so this is also what one connection
  // can make the server hold.
  uint64_t largest_limit = config.max_body_bytes;
  for (const auto& r : routes)
    largest_limit = std::max<uint64_t>(largest_limit, r.max_body_bytes);
  auto state = std::make_unique<impl>();
  auto* port_slot = &state->port;
  auto ledger = std::make_shared<connection_ledger>();
  // As many stream writers as I/O threads, each stream's chunks after its
  // first on one of them; a stream's end waits for its reader as long as
  // RESTinio's writes do.
  state->writers = std::make_shared<direct_writers>(
      static_cast<size_t>(config.threads),
      std::chrono::duration_cast<std::chrono::milliseconds>(write_timelimit),
      std::chrono::duration_cast<std::chrono::milliseconds>(
          config.request_timeout / 3));
  if (!config.counters)
    config.counters = std::make_shared<connection_counters>();
  // A closed connection owes nothing any more: the ledger forgets it.
  auto listener = std::make_shared<connection_listener>(
      config.counters,
      [ledger, on_closed = config.on_connection_closed](uint64_t id) {
        ledger->connection_closed(id);
        if (on_closed)
          on_closed(id);
      });
  try {
    auto settings
        = restinio::server_settings_t<traits>{}
              .address(config.host)
              .port(config.port)
              .request_handler(guard_router(
                  std::shared_ptr<router_t>{make_router(std::move(routes),
                                                        shared_config, ledger,
                                                        state->writers)},
                  ledger, state->writers))
              .logger(ledger)
              .handle_request_timeout(config.request_timeout)
              // The whole of a request must arrive within this (RESTinio
              // arms it when it starts waiting for one, and does not re-arm
              // it per read), so a client that trickles its headers, or an
              // idle keep-alive connection, is closed after it.
              .read_next_http_message_timelimit(config.request_timeout)
              .write_http_response_timelimit(write_timelimit)
              // One sweep per period compares each connection's deadline
              // with the clock (http/sweeping_timers.hpp); at 10,000 event
              // streams that is 10,000 checks a period. A tenth of the
              // shortest limit keeps a timeout at most 10% late.
              .timer_manager(timeout_check_period(config.request_timeout))
              // Above 1, the connection keeps reading while a response (an SSE
              // stream) is pending, so a client hang-up is seen at once.
              .max_pipelined_requests(4)
              .incoming_http_msg_limits(
                  restinio::incoming_http_msg_limits_t{}.max_body_size(
                      2 * largest_limit))
              .connection_state_listener(listener)
              .ip_blocker(std::make_shared<connection_gate>(
                  connection_gate{listener, config.max_connections}))
              .acceptor_post_bind_hook([port_slot](asio::ip::tcp::acceptor& a) {
                port_slot->store(a.local_endpoint().port());
              });
    state->instance = restinio::run_async<traits>(
        restinio::own_io_context(), std::move(settings),
        static_cast<std::size_t>(config.threads));
  } catch (const std::exception& e) {
    return failure{errc::unavailable, "cannot listen on " + config.host + ":"
                                          + std::to_string(config.port) + ": "
                                          + e.what()};
  }
  return std::unique_ptr<server>{new server{std::move(state)}};
}

} // namespace jobsync::http
