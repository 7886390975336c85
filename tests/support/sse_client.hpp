#pragma once

// A test client for Server-Sent Events: the WHATWG event-stream parser, a
// chunked-transfer decoder, and a GET over a plain loopback socket that is
// read only when the test says so (a subscriber that stops reading is a
// client that stops calling read). Many streams can be read in one loop.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::test {

/// One dispatched event, as an EventSource sees it.
struct sse_event {
  /// The stream's last event id when the event was dispatched.
  std::string id;
  /// `message` unless an `event:` line named it.
  std::string type;
  std::string data;
};

/// Parses an event stream incrementally, following the WHATWG rules: lines
/// end in LF, CRLF or CR; `:` starts a comment; fields data, event, id
/// (ignored when it holds NUL) and retry (digits only); a blank line
/// dispatches, unless no data was given (then only the id is kept).
class sse_parser {
public:
  /// Parses more bytes of the stream.
  void feed(std::string_view bytes);

  /// Events dispatched so far, in order.
  std::vector<sse_event> events;
  /// Comment lines (without the colon and the optional space).
  std::vector<std::string> comments;
  /// The last `retry:` value.
  std::optional<long long> retry;
  /// EventSource's lastEventId.
  std::string last_event_id;

private:
  void line(std::string_view text);
  void dispatch();

  std::string pending_;
  bool after_cr_ = false;
  bool at_start_ = true;
  std::string data_;
  std::string type_;
  std::string id_buffer_;
};

/// Decodes HTTP/1.1 chunked transfer coding incrementally.
class chunked_decoder {
public:
  /// Decodes more bytes and appends the payload to `out`; false on a
  /// malformed stream.
  bool feed(std::string_view in, std::string& out);

  /// The final zero-size chunk (and its trailer) has arrived.
  bool finished() const {
    return state_ == state::done;
  }

private:
  enum class state { size_line, data, data_crlf, trailer, done };
  state state_ = state::size_line;
  std::string line_;
  uint64_t remaining_ = 0;
};

/// `GET <target>` on 127.0.0.1:<port> over a raw socket, parsed as an
/// event stream when the answer is one. Nothing is read until the test
/// calls a read function.
class sse_stream {
public:
  struct options {
    /// Extra request headers (e.g. Last-Event-ID).
    std::map<std::string, std::string> headers;
    /// SO_RCVBUF set before connecting (0: the kernel's default). A small
    /// one makes a client that stops reading fill up quickly.
    int receive_buffer = 0;
  };

  /// Connects and sends the request; throws when it cannot connect.
  sse_stream(uint16_t port, std::string target, options opts);
  sse_stream(uint16_t port, std::string target);
  ~sse_stream();

  sse_stream(const sse_stream&) = delete;
  sse_stream& operator=(const sse_stream&) = delete;

  /// Reads until the response head has arrived; false on timeout or when
  /// the connection closed first.
  bool wait_head(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Reads until `done()` holds, the connection closes or the timeout
  /// passes; returns `done()`.
  bool wait_for(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Reads until at least `n` events were dispatched.
  bool wait_events(size_t n, std::chrono::milliseconds timeout
                             = std::chrono::seconds(20));

  /// Reads until the connection closes (or the response ends, for a body
  /// with a length).
  bool wait_closed(std::chrono::milliseconds timeout
                   = std::chrono::seconds(20));

  /// Reads whatever the socket holds now, without waiting; false once the
  /// connection is closed.
  bool read_available();

  /// The status code (0 before the head arrived).
  int status() const {
    return status_;
  }

  /// A response header (name in lower case).
  std::optional<std::string> header(const std::string& name) const;

  /// The decoded body so far (the raw event stream for a 200).
  const std::string& body() const {
    return body_;
  }

  const sse_parser& parsed() const {
    return parser_;
  }

  const std::vector<sse_event>& events() const {
    return parser_.events;
  }

  /// The response ended properly (the final chunk, or the whole length).
  bool ended() const {
    return ended_;
  }

  /// The server closed the connection.
  bool closed() const {
    return closed_;
  }

  /// The socket (for polling many streams).
  int fd() const {
    return fd_;
  }

  /// Closes the connection now.
  void close();

private:
  void consume(std::string_view bytes);
  bool parse_head();

  int fd_ = -1;
  std::string raw_;
  bool head_done_ = false;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  bool chunked_ = false;
  std::optional<uint64_t> content_length_;
  chunked_decoder chunks_;
  std::string body_;
  sse_parser parser_;
  size_t parsed_body_ = 0;
  bool ended_ = false;
  bool closed_ = false;
};

/// Reads every stream in one poll loop until `done()` holds or the timeout
/// passes; returns `done()`.
bool wait_all(const std::vector<sse_stream*>& streams,
              const std::function<bool()>& done,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

/// Many streams to one target, opened together (the fan-out tests).
struct stream_crowd {
  std::vector<std::unique_ptr<sse_stream>> owned;
  /// The same streams, for wait_all.
  std::vector<sse_stream*> all;
};

/// Opens `n` streams to `target`; throws when one cannot connect.
stream_crowd open_streams(uint16_t port, const std::string& target, size_t n);

/// Reads every stream until each has its first frame: the hub writes the
/// connect frame when it registers a subscriber, so all are subscribed.
bool wait_subscribed(const std::vector<sse_stream*>& streams,
                     std::chrono::milliseconds timeout
                     = std::chrono::seconds(60));

/// The frames of an event stream body that carry data (text up to their
/// blank line, which is left out), in order: what two subscribers of the
/// same events must agree on, whatever heartbeats came between.
std::vector<std::string> data_frames(std::string_view body);

} // namespace jobsync::test
