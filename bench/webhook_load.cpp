// Sends signed Replicate webhook deliveries to a running jobsyncd from many
// keep-alive connections at once, for bench/webhooks.sh. Each connection
// drives its own predictions through starting -> processing -> succeeded,
// so every delivery is a distinct webhook id and a real change of a job
// (a discovery, then two status changes), in the order Replicate sends
// them. One thread and epoll: the client should cost the 2 cores as little
// as it can.
//   jobsync-bench-webhook-load --port P --secret whsec_... [--host H]
//       [--connections 64] [--seconds 10]
// Prints `deliveries <n> ok <n> failed <n> seconds <s> rate <r>/s
// p50_ms <x> p99_ms <y>` on one line.

#include "bench/loopback.hpp"
#include "model/standard_webhooks.hpp"
#include "model/timestamp.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

using namespace jobsync;
using namespace jobsync::bench;

namespace {

struct options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string secret;
  int connections = 64;
  double seconds = 10;
};

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = static_cast<uint16_t>(std::atoi(value.c_str()));
    else if (flag == "--secret")
      o.secret = value;
    else if (flag == "--connections")
      o.connections = std::atoi(value.c_str());
    else if (flag == "--seconds")
      o.seconds = std::atof(value.c_str());
    else
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str()), std::exit(2);
  }
  if (o.port == 0 || o.secret.empty() || o.connections <= 0) {
    std::fprintf(stderr,
                 "usage: %s --port P --secret whsec_... [--host H] "
                 "[--connections N] [--seconds S]\n",
                 argv[0]);
    std::exit(2);
  }
  return o;
}

// The body Replicate would send for step `step` (0, 1, 2) of a prediction
// created at `created_at`: its start, its first logs, its success.
std::string prediction_body(const std::string& id, int step,
                            const std::string& created_at) {
  static const char* statuses[] = {"starting", "processing", "succeeded"};
  std::string body
      = R"({"id":")" + id
        + R"(","model":"simpletuner/advanced-trainer-l40s","version":"5f0d",)"
          R"("input":{"steps":1000},"status":")"
        + statuses[step] + R"(","created_at":")" + created_at
        + R"(",)"
          R"("urls":{"get":"https://api.replicate.com/v1/predictions/)"
        + id + R"(","cancel":"https://api.replicate.com/v1/predictions/)" + id
        + R"(/cancel"})";
  if (step >= 1)
    body += R"(,"started_at":"2026-11-01T10:00:05.5Z",)"
            R"("logs":"loading data\nStep 100/1000 - loss: 0.5\n")";
  if (step == 2)
    body += R"(,"completed_at":"2026-11-01T10:30:05.5Z",)"
            R"("metrics":{"predict_time":1800.0},)"
            R"("output":"https://replicate.delivery/bench/)"
            + id + R"(.tar")";
  return body + "}";
}

struct connection {
  int fd = -1;
  int index = 0;
  long sent = 0;
  std::string out;
  size_t written = 0;
  std::string in;
  std::string created_at;
  int64_t sent_at_us = 0;
};

class load {
public:
  explicit load(options o) : o_(std::move(o)) {
    auto key = decode_webhook_secret(o_.secret);
    if (!key)
      std::fprintf(stderr, "bad secret\n"), std::exit(2);
    key_ = *key;
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
  }

  int run() {
    raise_file_limit(static_cast<uint64_t>(o_.connections) + 64);
    conns_.resize(static_cast<size_t>(o_.connections));
    start_us_ = now_us();
    end_us_ = start_us_ + static_cast<int64_t>(o_.seconds * 1e6);
    for (size_t i = 0; i < conns_.size(); ++i) {
      auto& c = conns_[i];
      c.index = static_cast<int>(i);
      c.fd = connect_nonblocking(o_.host, o_.port);
      if (c.fd < 0)
        return std::perror("connect"), 1;
      queue_next(c);
      watch(c, EPOLL_CTL_ADD);
      ++open_;
    }
    std::vector<epoll_event> ready(256);
    while (open_ > 0) {
      int n = epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()),
                         1000);
      for (int i = 0; i < n; ++i) {
        // A failed connect or a reset shows up as the error of the next
        // write or read, so errors need no branch of their own.
        auto& c = conns_[ready[i].data.u32];
        if (c.written < c.out.size())
          send_some(c);
        else
          receive(c);
      }
    }
    report();
    return failed_ > 0 && ok_ == 0 ? 1 : 0;
  }

private:
  void watch(connection& c, int op) {
    epoll_event ev{};
    ev.events = c.written < c.out.size() ? EPOLLOUT : EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(c.index);
    epoll_ctl(epoll_, op, c.fd, &ev);
  }

  // The next delivery of this connection: prediction `sent / 3`, step
  // `sent % 3`, signed now.
  void queue_next(connection& c) {
    std::string job
        = "wh-" + std::to_string(c.index) + "-" + std::to_string(c.sent / 3);
    std::string msg_id = "msg_" + job + "_" + std::to_string(c.sent % 3);
    // A prediction is created when its first delivery goes out, and says
    // so, as Replicate's do. (One fixed created_at for all of them sorted
    // the store's by-created index by id instead of time, so every new job
    // landed in a random place of it, which no real stream of predictions
    // does.)
    if (c.sent % 3 == 0)
      c.created_at = jobsync::format_rfc3339(jobsync::now_ms());
    std::string body
        = prediction_body(job, static_cast<int>(c.sent % 3), c.created_at);
    int64_t ts = static_cast<int64_t>(std::time(nullptr));
    c.out = "POST /api/webhooks/replicate HTTP/1.1\r\nHost: " + o_.host
            + "\r\nContent-Type: application/json\r\nwebhook-id: " + msg_id
            + "\r\nwebhook-timestamp: " + std::to_string(ts)
            + "\r\nwebhook-signature: " + sign_webhook(key_, msg_id, ts, body)
            + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"
            + body;
    c.written = 0;
    ++c.sent;
  }

  void send_some(connection& c) {
    if (c.written == 0)
      c.sent_at_us = now_us();
    ssize_t n
        = ::write(c.fd, c.out.data() + c.written, c.out.size() - c.written);
    if (n < 0 && errno != EAGAIN && errno != EINTR && errno != ENOTCONN)
      return finish(c, std::strerror(errno));
    if (n > 0)
      c.written += static_cast<size_t>(n);
    if (c.written == c.out.size())
      watch(c, EPOLL_CTL_MOD);
  }

  void receive(connection& c) {
    char buf[16384];
    ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n == 0)
      return finish(c, "connection closed by the server");
    if (n < 0)
      return (errno == EAGAIN || errno == EINTR)
                 ? void()
                 : finish(c, std::strerror(errno));
    c.in.append(buf, static_cast<size_t>(n));
    auto head = parse_response_head(c.in);
    if (!head || !head->content_length
        || c.in.size() < head->head_bytes + *head->content_length)
      return;
    latencies_ms_.push_back((now_us() - c.sent_at_us) / 1000.0);
    std::string body = c.in.substr(head->head_bytes, *head->content_length);
    if (head->status == 200 && body.find("\"received\"") != std::string::npos)
      ++ok_;
    else if (++failed_ == 1)
      std::fprintf(stderr, "first refused delivery: %d %s\n", head->status,
                   body.c_str());
    last_answer_us_ = now_us();
    c.in.clear();
    c.out.clear();
    c.written = 0;
    if (now_us() >= end_us_)
      return finish(c, nullptr);
    queue_next(c);
    watch(c, EPOLL_CTL_MOD);
  }

  void finish(connection& c, const char* error) {
    if (error && ++closed_with_error_ == 1)
      std::fprintf(stderr, "connection %d: %s\n", c.index, error);
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    --open_;
  }

  void report() {
    double seconds = (last_answer_us_ - start_us_) / 1e6;
    double p50 = percentile(latencies_ms_, 0.50);
    double p99 = percentile(latencies_ms_, 0.99);
    std::printf("deliveries %ld ok %ld failed %ld seconds %.2f rate %.1f/s "
                "p50_ms %.2f p99_ms %.2f\n",
                ok_ + failed_, ok_, failed_ + closed_with_error_, seconds,
                seconds > 0 ? ok_ / seconds : 0.0, p50, p99);
  }

  options o_;
  std::string key_;
  int epoll_ = -1;
  std::vector<connection> conns_;
  int open_ = 0;
  int64_t start_us_ = 0, end_us_ = 0, last_answer_us_ = 0;
  long ok_ = 0, failed_ = 0, closed_with_error_ = 0;
  std::vector<double> latencies_ms_;
};

} // namespace

int main(int argc, char** argv) {
  return load{parse_options(argc, argv)}.run();
}
