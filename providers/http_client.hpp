#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace jobsync::providers {

/// Why a request produced no (complete) response.
enum class http_error_kind : uint8_t {
  /// A response arrived; look at its status.
  none,
  /// The request's deadline passed after the connection was made.
  timeout,
  /// No connection could be made (refused, unresolvable, connect timeout):
  /// the request was certainly not sent.
  connect_failed,
  /// Anything else: dropped connection, TLS failure, client stopped, ...
  other,
};

/// A stable lower-case name ("timeout", ...).
std::string_view to_string(http_error_kind x);

/// One HTTP request.
struct http_request {
  /// "GET", "POST", "DELETE", ...
  std::string method = "GET";
  /// An absolute http:// or https:// URL.
  std::string url;
  /// Extra header lines as name/value pairs, sent in this order.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Sent for every method but GET and HEAD (an empty POST sends
  /// `Content-Length: 0`).
  std::string body;
  /// Deadline of the whole transfer once it has left the queue
  /// (CURLOPT_TIMEOUT_MS).
  std::chrono::milliseconds timeout{30000};
  /// Deadline of the connection phase (CURLOPT_CONNECTTIMEOUT_MS).
  std::chrono::milliseconds connect_timeout{10000};
};

/// What came back (or why nothing did).
struct http_response {
  /// The HTTP status; 0 when no status line arrived.
  long status = 0;
  /// Header names lower-cased; the last value of a repeated header wins.
  std::map<std::string, std::string> headers;
  /// The (decompressed) body as received.
  std::string body;
  /// Check this first: `none` means the status and body are complete.
  http_error_kind error = http_error_kind::none;
  /// libcurl's description of the error; empty without one.
  std::string error_text;
  /// When the transfer left the queue and when it finished (for latency
  /// figures and for tests that check ordering).
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point finished;
};

/// Receives a request's outcome. It runs on the client's thread: it must be
/// cheap, must not block and must not throw (exceptions are logged and
/// dropped).
using http_callback = std::function<void(http_response)>;

/// Settings of one http_client.
struct http_client_config {
  /// Transfers running at once; later submissions wait in a queue and
  /// start in submission order.
  size_t max_concurrency = 8;
  /// A response body larger than this fails the request (kind `other`).
  size_t max_response_bytes = 64 * 1024 * 1024;
  /// Written to the log with every failure.
  std::string name = "http";
};

/// An asynchronous HTTP client: libcurl's multi interface driven by one
/// thread of its own, so submitting never blocks the caller (CAF actors
/// turn completions into messages). TLS peers are verified against the
/// system CA bundle; only http and https are allowed; redirects are not
/// followed. Thread-safe.
class http_client {
public:
  /// Starts the client's thread.
  explicit http_client(http_client_config cfg = {});

  /// Calls stop(). Must not run on the client's own thread (that is, not
  /// from inside a callback).
  ~http_client();

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  /// Queues a request; `callback` later receives its outcome exactly once
  /// on the client's thread. After stop() the callback runs at once, on
  /// the calling thread, with an error.
  void submit(http_request req, http_callback callback);

  /// Fails every running and queued request (kind `other`, callbacks in
  /// submission order), then joins the thread. Idempotent. Called from a
  /// callback it only requests the stop.
  void stop();

  /// Requests submitted and not yet completed (running or queued).
  size_t pending() const;

  /// The configuration this client runs with.
  const http_client_config& config() const {
    return cfg_;
  }

private:
  /// One request with its callback, libcurl handles and response.
  struct transfer;

  /// The thread's loop: start queued transfers, drive libcurl, complete.
  void run();
  /// Sets up an easy handle and adds it to the multi handle.
  void start(std::unique_ptr<transfer> t);
  /// Completes every transfer libcurl reports as done.
  void finish_done();
  /// Releases a started transfer's slot and handles, then delivers.
  void complete(std::unique_ptr<transfer> t);
  /// Runs the callback, containing any exception it throws.
  void deliver(transfer& t);
  /// On stop: fails running and queued transfers in submission order.
  void fail_all();

  /// Fixed at construction.
  http_client_config cfg_;
  /// The CURLM handle (void here so that users do not include curl.h).
  void* multi_ = nullptr;
  /// Running transfers by easy handle; touched by the client thread only.
  std::map<void*, std::unique_ptr<transfer>> active_;
  /// Guards the members below that say so.
  mutable std::mutex mtx_;
  /// Guarded by mtx_: submitted and not yet started, in submission order.
  std::deque<std::unique_ptr<transfer>> queue_;
  /// Guarded by mtx_: size of active_ as seen by submit and pending().
  size_t running_ = 0;
  /// Guarded by mtx_: numbers transfers so that stop() fails them in
  /// submission order.
  uint64_t next_seq_ = 0;
  /// Guarded by mtx_.
  bool stopping_ = false;
  /// Serializes joins when several threads call stop() at once.
  std::mutex join_mtx_;
  /// Runs run().
  std::thread thread_;
  /// thread_'s id, fixed at construction (thread_ itself changes on join).
  std::thread::id worker_id_;
};

} // namespace jobsync::providers
