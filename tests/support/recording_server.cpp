#include "tests/support/recording_server.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace jobsync::test {

namespace {

// Reads until `pred(buffer)` holds, EOF, error or 10 s of silence.
template <class Pred>
bool read_until(int fd, std::string& buf, Pred pred) {
  char chunk[8192];
  while (!pred(buf)) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0)
      return false;
    auto n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    buf.append(chunk, static_cast<size_t>(n));
  }
  return true;
}

void send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    auto n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    sent += static_cast<size_t>(n);
  }
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

} // namespace

recording_server::recording_server() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0)
    throw std::runtime_error("socket failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0
      || ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("bind/listen failed");
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe(wake_) != 0)
    throw std::runtime_error("pipe failed");
  thread_ = std::thread{[this] { run(); }};
}

recording_server::~recording_server() {
  char c = 'x';
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
  if (thread_.joinable())
    thread_.join();
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::string recording_server::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void recording_server::answer_with(int status) {
  std::lock_guard<std::mutex> guard{mtx_};
  default_status_ = status;
}

void recording_server::script(std::vector<int> statuses) {
  std::lock_guard<std::mutex> guard{mtx_};
  script_.assign(statuses.begin(), statuses.end());
}

std::vector<recorded_request> recording_server::requests() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return requests_;
}

size_t recording_server::count() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return requests_.size();
}

bool recording_server::wait_for(size_t n,
                                std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

bool recording_server::wait_until(
    const std::function<bool(const std::vector<recorded_request>&)>& condition,
    std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock{mtx_};
  return cv_.wait_for(lock, timeout, [&] { return condition(requests_); });
}

void recording_server::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    if (fds[1].revents != 0)
      return;
    if ((fds[0].revents & POLLIN) == 0)
      continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0)
      continue;
    serve(fd);
    ::close(fd);
  }
}

void recording_server::serve(int fd) {
  std::string buf;
  if (!read_until(fd, buf, [](const std::string& b) {
        return b.find("\r\n\r\n") != std::string::npos;
      }))
    return;
  auto head_end = buf.find("\r\n\r\n");
  recorded_request r;
  size_t line_start = 0;
  bool first = true;
  size_t content_length = 0;
  while (line_start < head_end) {
    auto line_end = buf.find("\r\n", line_start);
    auto line = buf.substr(line_start, line_end - line_start);
    line_start = line_end + 2;
    if (first) {
      first = false;
      auto sp1 = line.find(' ');
      auto sp2 = line.find(' ', sp1 + 1);
      r.method = line.substr(0, sp1);
      r.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    auto name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    r.headers[name] = trim(line.substr(colon + 1));
  }
  if (auto i = r.headers.find("content-length"); i != r.headers.end())
    content_length = std::stoul(i->second);
  auto body_start = head_end + 4;
  if (!read_until(fd, buf, [&](const std::string& b) {
        return b.size() >= body_start + content_length;
      }))
    return;
  r.body = buf.substr(body_start, content_length);
  int status = 0;
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!script_.empty()) {
      status = script_.front();
      script_.pop_front();
    } else {
      status = default_status_;
    }
  }
  r.answered = status;
  if (status != 0)
    send_all(fd, "HTTP/1.1 " + std::to_string(status)
                     + " Scripted\r\nContent-Type: text/plain\r\n"
                       "Content-Length: 2\r\nConnection: close\r\n\r\nok");
  std::lock_guard<std::mutex> guard{mtx_};
  requests_.push_back(std::move(r));
  cv_.notify_all();
}

} // namespace jobsync::test
