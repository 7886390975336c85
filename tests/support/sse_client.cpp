#include "tests/support/sse_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace jobsync::test {

// -- sse_parser
// ----------------------------------------------------------------

void sse_parser::feed(std::string_view bytes) {
  for (char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n')
        continue;
    }
    if (c != '\r' && c != '\n') {
      pending_ += c;
      continue;
    }
    after_cr_ = c == '\r';
    std::string_view text{pending_};
    // A UTF-8 byte order mark at the very start of the stream is skipped.
    if (at_start_) {
      at_start_ = false;
      if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
    }
    line(text);
    pending_.clear();
  }
}

void sse_parser::line(std::string_view text) {
  if (text.empty())
    return dispatch();
  if (text.front() == ':') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == ' ')
      text.remove_prefix(1);
    comments.emplace_back(text);
    return;
  }
  auto colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value;
  if (colon != std::string_view::npos) {
    value = text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
  }
  if (field == "data") {
    data_ += value;
    data_ += '\n';
  } else if (field == "event") {
    type_ = std::string{value};
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos)
      id_buffer_ = std::string{value};
  } else if (field == "retry") {
    if (!value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
          return c >= '0' && c <= '9';
        }))
      retry = std::stoll(std::string{value});
  }
}

void sse_parser::dispatch() {
  last_event_id = id_buffer_;
  if (data_.empty()) {
    type_.clear();
    return;
  }
  data_.pop_back();
  events.push_back(
      {last_event_id, type_.empty() ? "message" : type_, std::move(data_)});
  data_.clear();
  type_.clear();
}

// -- chunked_decoder
// -------------------------------------------------------------

bool chunked_decoder::feed(std::string_view in, std::string& out) {
  size_t i = 0;
  while (i < in.size() && state_ != state::done) {
    switch (state_) {
    case state::size_line:
    case state::trailer: {
      char c = in[i++];
      if (c != '\n') {
        line_ += c;
        break;
      }
      if (!line_.empty() && line_.back() == '\r')
        line_.pop_back();
      if (state_ == state::trailer) {
        if (line_.empty())
          state_ = state::done;
        line_.clear();
        break;
      }
      auto size_text = line_.substr(0, line_.find(';'));
      line_.clear();
      if (size_text.empty()
          || size_text.find_first_not_of("0123456789abcdefABCDEF")
                 != std::string::npos)
        return false;
      remaining_ = std::stoull(size_text, nullptr, 16);
      state_ = remaining_ == 0 ? state::trailer : state::data;
      break;
    }
    case state::data: {
      auto n = std::min<uint64_t>(remaining_, in.size() - i);
      out.append(in.data() + i, n);
      i += n;
      remaining_ -= n;
      if (remaining_ == 0)
        state_ = state::data_crlf;
      break;
    }
    case state::data_crlf: {
      char c = in[i++];
      if (c == '\n')
        state_ = state::size_line;
      else if (c != '\r')
        return false;
      break;
    }
    case state::done:
      break;
    }
  }
  return true;
}

// -- sse_stream
// ------------------------------------------------------------------

sse_stream::sse_stream(uint16_t port, std::string target)
    : sse_stream(port, std::move(target), options{}) {}

sse_stream::sse_stream(uint16_t port, std::string target, options opts) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0)
    throw std::runtime_error(std::string{"socket: "} + std::strerror(errno));
  if (opts.receive_buffer > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &opts.receive_buffer,
                 sizeof(opts.receive_buffer));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    auto why = std::string{"connect: "} + std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error(why);
  }
  std::string request = "GET " + target
                        + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port)
                        + "\r\nAccept: text/event-stream\r\n";
  for (const auto& [k, v] : opts.headers)
    request += k + ": " + v + "\r\n";
  request += "\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    auto n = ::send(fd_, request.data() + sent, request.size() - sent,
                    MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw std::runtime_error(std::string{"send: "} + std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
}

sse_stream::~sse_stream() {
  close();
}

void sse_stream::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

std::optional<std::string> sse_stream::header(const std::string& name) const {
  auto i = headers_.find(name);
  if (i == headers_.end())
    return std::nullopt;
  return i->second;
}

bool sse_stream::parse_head() {
  auto end = raw_.find("\r\n\r\n");
  if (end == std::string::npos)
    return false;
  auto head = raw_.substr(0, end);
  auto rest = raw_.substr(end + 4);
  raw_.clear();
  head_done_ = true;
  size_t pos = head.find("\r\n");
  auto status_line = head.substr(0, pos);
  auto sp = status_line.find(' ');
  status_
      = sp == std::string::npos ? 0 : std::atoi(status_line.c_str() + sp + 1);
  while (pos != std::string::npos) {
    auto next = head.find("\r\n", pos + 2);
    auto line
        = head.substr(pos + 2, next == std::string::npos ? std::string::npos
                                                         : next - pos - 2);
    pos = next;
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    auto name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    auto b = value.find_first_not_of(" \t");
    value = b == std::string::npos ? "" : value.substr(b);
    headers_[name] = value;
  }
  if (auto te = header("transfer-encoding");
      te && te->find("chunked") != std::string::npos)
    chunked_ = true;
  else if (auto cl = header("content-length"))
    content_length_ = std::stoull(*cl);
  if (!chunked_ && content_length_ && *content_length_ == 0)
    ended_ = true;
  consume(rest);
  return true;
}

void sse_stream::consume(std::string_view bytes) {
  if (!head_done_) {
    raw_.append(bytes);
    parse_head();
    return;
  }
  if (bytes.empty() || ended_)
    return;
  if (chunked_) {
    if (!chunks_.feed(bytes, body_))
      throw std::runtime_error("malformed chunked body");
    ended_ = chunks_.finished();
  } else {
    body_.append(bytes);
    if (content_length_ && body_.size() >= *content_length_)
      ended_ = true;
  }
  if (status_ == 200 && body_.size() > parsed_body_) {
    parser_.feed(std::string_view{body_}.substr(parsed_body_));
    parsed_body_ = body_.size();
  }
}

bool sse_stream::read_available() {
  if (fd_ < 0 || closed_)
    return false;
  char buf[65536];
  for (;;) {
    auto n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      consume({buf, static_cast<size_t>(n)});
      continue;
    }
    if (n == 0) {
      closed_ = true;
      return false;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return true;
    closed_ = true;
    return false;
  }
}

bool sse_stream::wait_for(const std::function<bool()>& done,
                          std::chrono::milliseconds timeout) {
  return wait_all({this}, done, timeout);
}

bool sse_stream::wait_head(std::chrono::milliseconds timeout) {
  return wait_for([this] { return head_done_; }, timeout);
}

bool sse_stream::wait_events(size_t n, std::chrono::milliseconds timeout) {
  return wait_for([this, n] { return parser_.events.size() >= n; }, timeout);
}

bool sse_stream::wait_closed(std::chrono::milliseconds timeout) {
  return wait_for([this] { return closed_; }, timeout);
}

stream_crowd open_streams(uint16_t port, const std::string& target, size_t n) {
  stream_crowd crowd;
  for (size_t i = 0; i < n; ++i) {
    crowd.owned.push_back(std::make_unique<sse_stream>(port, target));
    crowd.all.push_back(crowd.owned.back().get());
  }
  return crowd;
}

bool wait_subscribed(const std::vector<sse_stream*>& streams,
                     std::chrono::milliseconds timeout) {
  return wait_all(
      streams,
      [&] {
        for (auto* s : streams)
          if (s->body().find("\n\n") == std::string::npos)
            return false;
        return true;
      },
      timeout);
}

bool wait_all(const std::vector<sse_stream*>& streams,
              const std::function<bool()>& done,
              std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<pollfd> fds;
  std::vector<sse_stream*> open;
  // Whatever arrived before the first poll, then only what poll reports.
  for (auto* s : streams)
    s->read_available();
  for (;;) {
    if (done())
      return true;
    fds.clear();
    open.clear();
    for (auto* s : streams)
      if (s->fd() >= 0 && !s->closed()) {
        fds.push_back({s->fd(), POLLIN, 0});
        open.push_back(s);
      }
    auto now = std::chrono::steady_clock::now();
    if (fds.empty() || now >= deadline)
      return done();
    auto left
        = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
              .count();
    auto ready = ::poll(fds.data(), fds.size(),
                        static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno != EINTR)
      return done();
    for (size_t i = 0; i < fds.size(); ++i)
      if (fds[i].revents != 0)
        open[i]->read_available();
  }
}

std::vector<std::string> data_frames(std::string_view body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < body.size()) {
    auto end = body.find("\n\n", pos);
    if (end == std::string_view::npos)
      break;
    auto frame = body.substr(pos, end - pos);
    pos = end + 2;
    bool has_data = frame.substr(0, 5) == "data:"
                    || frame.find("\ndata:") != std::string_view::npos;
    if (has_data)
      out.emplace_back(frame);
  }
  return out;
}

} // namespace jobsync::test
