// Measures how long one published change takes to reach every subscriber
// of a Server-Sent Events stream, for bench/sse.sh. It opens N streams
// (spread over several loopback source addresses, for servers that limit
// subscribers per address), waits until every one is subscribed, then
// publishes changes one at a time and, per change, times each subscriber's
// first `data:` line from just before the publishing request was written.
// The same client measures jobsyncd and nginx+nchan, so the two figures
// carry the same client costs (one thread reading every stream).
//
//   jobsync-bench-sse-fanout --port P --path /api/events
//       --publish webhook --secret whsec_...      (jobsyncd: a signed
//            delivery moves job sse-<k> from queued to running)
//     | --publish nchan --publish-path /pub?id=c  (nchan: a POST of a message)
//     [--subscribers 10000] [--sources 10] [--changes 5] [--warm-up 1]
//     [--gap-ms 500] [--timeout-seconds 10] [--hold-fifo F]
//     [--subscribe-ports P1,P2,...]   (subscribers spread round-robin over
//            these ports, e.g. jobsyncd replicas sharing a database;
//            default: --port; changes are always published to --port)
// With --hold-fifo it prints `holding` once every stream is subscribed and
// waits for a line on the FIFO F before publishing, and prints `finished`
// after the last change and waits for another line before it closes the
// streams (so that the server's figures can be read in between).
// The warm-up changes go first and are left out of `all`: the first
// message of a channel costs nchan its creation.
// Prints one line per change and a last `all` line:
// `<label> received <n>/<N> p50_ms <x> p99_ms <y> max_ms <z> first_ms <w>`.

#include "bench/loopback.hpp"
#include "model/standard_webhooks.hpp"

#include <sys/epoll.h>
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
  /// Where the streams are opened (round-robin); empty: `port`.
  std::vector<uint16_t> subscribe_ports;
  std::string path = "/api/events";
  std::string publish; // "webhook" or "nchan"
  std::string publish_path;
  std::string secret;
  int subscribers = 10000;
  int sources = 10;
  int changes = 5;
  int warm_up = 1;
  int gap_ms = 500;
  int timeout_seconds = 10;
  /// When set: once every stream is subscribed, wait until a line can be
  /// read from this FIFO (bench/sse.sh measures the servers' memory then).
  std::string hold_fifo;
};

options parse_options(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    auto number = [&] { return std::atoi(value.c_str()); };
    if (flag == "--host")
      o.host = value;
    else if (flag == "--port")
      o.port = static_cast<uint16_t>(number());
    else if (flag == "--path")
      o.path = value;
    else if (flag == "--subscribe-ports")
      for (size_t at = 0; at < value.size();) {
        auto comma = value.find(',', at);
        auto end = comma == std::string::npos ? value.size() : comma;
        o.subscribe_ports.push_back(static_cast<uint16_t>(
            std::atoi(value.substr(at, end - at).c_str())));
        at = end + 1;
      }
    else if (flag == "--publish")
      o.publish = value;
    else if (flag == "--publish-path")
      o.publish_path = value;
    else if (flag == "--secret")
      o.secret = value;
    else if (flag == "--subscribers")
      o.subscribers = number();
    else if (flag == "--sources")
      o.sources = number();
    else if (flag == "--changes")
      o.changes = number();
    else if (flag == "--warm-up")
      o.warm_up = number();
    else if (flag == "--gap-ms")
      o.gap_ms = number();
    else if (flag == "--timeout-seconds")
      o.timeout_seconds = number();
    else if (flag == "--hold-fifo")
      o.hold_fifo = value;
    else
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str()), std::exit(2);
  }
  bool webhook = o.publish == "webhook" && !o.secret.empty();
  bool nchan = o.publish == "nchan" && !o.publish_path.empty();
  if (o.port == 0 || !(webhook || nchan) || o.subscribers <= 0 || o.sources <= 0
      || o.changes <= 0 || o.warm_up < 0) {
    std::fprintf(stderr, "usage: see the comment at the top of "
                         "bench/sse_fanout.cpp\n");
    std::exit(2);
  }
  if (o.publish_path.empty())
    o.publish_path = "/api/webhooks/replicate";
  if (o.subscribe_ports.empty())
    o.subscribe_ports.push_back(o.port);
  return o;
}

// Finds "\ndata:" (a data line) in a byte stream that arrives in pieces.
// The pattern has no prefix that is also its suffix, so a mismatch only
// has to look at whether the byte starts the pattern again.
class data_line_counter {
public:
  /// Returns how many data lines began in `bytes`.
  int feed(const char* bytes, size_t n) {
    static constexpr char pattern[] = "\ndata:";
    int found = 0;
    for (size_t i = 0; i < n; ++i) {
      if (bytes[i] == pattern[matched_]) {
        if (++matched_ == sizeof pattern - 1) {
          ++found;
          matched_ = 0;
        }
      } else {
        matched_ = bytes[i] == '\n' ? 1 : 0;
      }
    }
    return found;
  }

private:
  size_t matched_ = 0;
};

struct subscriber {
  int fd = -1;
  bool subscribed = false;
  std::string head; // the response head, until it is complete
  data_line_counter lines;
  int frames = 0;
};

// A signed delivery of prediction `job` in `status`.
std::string webhook_request(const options& o, const std::string& key,
                            const std::string& job, const std::string& status) {
  std::string body
      = R"({"id":")" + job
        + R"(","model":"simpletuner/advanced-trainer-l40s","version":"5f0d",)"
          R"("input":{},"status":")"
        + status
        + R"(","created_at":"2026-11-01T10:00:00.123456Z","urls":{"get":)"
          R"("https://api.replicate.com/v1/predictions/)"
        + job + R"("}})";
  std::string msg_id = "msg_" + job + "_" + status;
  int64_t ts = static_cast<int64_t>(std::time(nullptr));
  return "POST " + o.publish_path + " HTTP/1.1\r\nHost: " + o.host
         + "\r\nContent-Type: application/json\r\nwebhook-id: " + msg_id
         + "\r\nwebhook-timestamp: " + std::to_string(ts)
         + "\r\nwebhook-signature: " + sign_webhook(key, msg_id, ts, body)
         + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"
         + body;
}

std::string nchan_request(const options& o, int change) {
  std::string body = "change " + std::to_string(change);
  return "POST " + o.publish_path + " HTTP/1.1\r\nHost: " + o.host
         + "\r\nContent-Type: text/plain\r\nContent-Length: "
         + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Reads one whole response (head and Content-Length body) from a
// non-blocking socket, waiting up to 10 s; returns its status, 0 on error.
int read_response(int fd, std::string* body_out = nullptr) {
  std::string in;
  int64_t deadline = now_us() + 10000000;
  char buf[8192];
  while (now_us() < deadline) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0)
      return 0;
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR)
        return 0;
      usleep(200);
      continue;
    }
    in.append(buf, static_cast<size_t>(n));
    auto head = parse_response_head(in);
    if (head && head->content_length
        && in.size() >= head->head_bytes + *head->content_length) {
      if (body_out)
        *body_out = in.substr(head->head_bytes, *head->content_length);
      return head->status;
    }
  }
  return 0;
}

class fanout {
public:
  explicit fanout(options o) : o_(std::move(o)) {
    if (o_.publish == "webhook") {
      auto key = decode_webhook_secret(o_.secret);
      if (!key)
        std::fprintf(stderr, "bad secret\n"), std::exit(2);
      key_ = *key;
    }
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
  }

  int run() {
    auto limit = raise_file_limit(static_cast<uint64_t>(o_.subscribers) + 64);
    if (limit < static_cast<uint64_t>(o_.subscribers) + 16) {
      std::fprintf(stderr, "open files limited to %llu\n",
                   static_cast<unsigned long long>(limit));
      return 1;
    }
    publisher_ = connect_nonblocking(o_.host, o_.port);
    if (publisher_ < 0 || !prepare_jobs())
      return 1;
    if (!subscribe_all())
      return 1;
    if (!o_.hold_fifo.empty())
      hold("holding");
    std::vector<double> all;
    for (int k = 0; k < o_.warm_up + o_.changes; ++k) {
      auto latencies = publish_and_wait(k);
      bool counted = k >= o_.warm_up;
      print_line(counted ? "change " + std::to_string(k + 1 - o_.warm_up)
                         : "warm-up",
                 latencies);
      if (counted)
        all.insert(all.end(), latencies.begin(), latencies.end());
      drain_for(o_.gap_ms);
    }
    print_line("all", all, o_.subscribers * o_.changes);
    if (!o_.hold_fifo.empty())
      hold("finished");
    return 0;
  }

private:
  // Tells whoever holds the FIFO's other end where the run is, and waits
  // for its go.
  void hold(const char* where) {
    std::printf("%s\n", where);
    std::fflush(stdout);
    if (FILE* f = std::fopen(o_.hold_fifo.c_str(), "r")) {
      char line[16];
      (void) std::fgets(line, sizeof line, f);
      std::fclose(f);
    }
  }

  // The jobs the webhook changes will move: each is created queued before
  // anyone subscribes, so the measured event is a plain status change.
  bool prepare_jobs() {
    if (o_.publish != "webhook")
      return true;
    for (int k = 0; k < o_.warm_up + o_.changes; ++k) {
      std::string body;
      if (!write_all(publisher_,
                     webhook_request(o_, key_, job_name(k), "starting"))
          || read_response(publisher_, &body) != 200) {
        std::fprintf(stderr, "preparing job %d failed: %s\n", k, body.c_str());
        return false;
      }
    }
    return true;
  }

  static std::string job_name(int k) {
    return "sse-" + std::to_string(k);
  }

  // Opens every stream, at most `window` connecting at once so the
  // listener's backlog never overflows, and waits for each response head.
  bool subscribe_all() {
    const int window = 500;
    subs_.resize(static_cast<size_t>(o_.subscribers));
    int started = 0;
    int64_t t0 = now_us();
    int64_t deadline = t0 + 120000000;
    while ((subscribed_ + refused_ < o_.subscribers) && now_us() < deadline) {
      while (started < o_.subscribers
             && started - subscribed_ - refused_ < window) {
        if (!open_stream(started))
          return false;
        ++started;
      }
      poll_once(100);
    }
    std::printf("subscribed %d/%d in %.2f s (%d refused)\n", subscribed_,
                o_.subscribers, (now_us() - t0) / 1e6, refused_);
    if (refused_ > 0)
      std::printf("first refusal: %s\n", first_refusal_.c_str());
    std::fflush(stdout);
    // Let the streams' first bytes (retry:, id:) arrive before timing.
    drain_for(1000);
    return subscribed_ > 0;
  }

  bool open_stream(int i) {
    auto& s = subs_[static_cast<size_t>(i)];
    std::string source = "127.0.0." + std::to_string(1 + i % o_.sources);
    auto port = o_.subscribe_ports[static_cast<size_t>(i)
                                   % o_.subscribe_ports.size()];
    s.fd = connect_nonblocking(o_.host, port, source);
    if (s.fd < 0) {
      std::fprintf(stderr, "connect from %s: %s\n", source.c_str(),
                   std::strerror(errno));
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, s.fd, &ev);
    return true;
  }

  // Handles what is ready within `timeout_ms`.
  void poll_once(int timeout_ms) {
    epoll_event ready[1024];
    int n = epoll_wait(epoll_, ready, 1024, timeout_ms);
    for (int i = 0; i < n; ++i) {
      auto& s = subs_[ready[i].data.u32];
      if (s.fd < 0)
        continue;
      if (ready[i].events & EPOLLOUT)
        send_subscription(s);
      else
        receive(s);
    }
  }

  void send_subscription(subscriber& s) {
    std::string request = "GET " + o_.path + " HTTP/1.1\r\nHost: " + o_.host
                          + "\r\nAccept: text/event-stream\r\n\r\n";
    if (!write_all(s.fd, request))
      return refuse(s, std::string{"write: "} + std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(&s - subs_.data());
    epoll_ctl(epoll_, EPOLL_CTL_MOD, s.fd, &ev);
  }

  void receive(subscriber& s) {
    char buf[16384];
    ssize_t n = ::read(s.fd, buf, sizeof buf);
    int64_t at = now_us();
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      if (s.subscribed)
        ++closed_;
      return refuse(s, n == 0 ? "closed" : std::strerror(errno));
    }
    const char* data = buf;
    size_t size = static_cast<size_t>(n);
    if (!s.subscribed) {
      s.head.append(buf, size);
      auto head = parse_response_head(s.head);
      if (!head)
        return;
      if (head->status != 200)
        return refuse(s, s.head.substr(0, 300));
      s.subscribed = true;
      ++subscribed_;
      // The stream's bytes after the head, with the head's last line break
      // in front so a data line right after it is counted.
      s.head.erase(0, head->head_bytes - 1);
      data = s.head.data();
      size = s.head.size();
    }
    int frames = s.lines.feed(data, size);
    for (int f = 0; f < frames; ++f, ++s.frames)
      if (s.frames < static_cast<int>(published_at_.size()))
        latencies_.push_back((at - published_at_[s.frames]) / 1000.0);
    if (!s.head.empty())
      std::string{}.swap(s.head);
  }

  void refuse(subscriber& s, const std::string& why) {
    if (!s.subscribed && ++refused_ == 1)
      first_refusal_ = why;
    epoll_ctl(epoll_, EPOLL_CTL_DEL, s.fd, nullptr);
    close(s.fd);
    s.fd = -1;
  }

  // Publishes change k and reads streams until every subscriber has it or
  // the timeout passes; returns the latencies of those that got it.
  std::vector<double> publish_and_wait(int k) {
    latencies_.clear();
    std::string request
        = o_.publish == "webhook"
              ? webhook_request(o_, key_, job_name(k), "processing")
              : nchan_request(o_, k);
    published_at_.push_back(now_us());
    if (!write_all(publisher_, request))
      std::fprintf(stderr, "publishing failed: %s\n", std::strerror(errno));
    int64_t deadline = now_us() + int64_t{o_.timeout_seconds} * 1000000;
    auto live = static_cast<size_t>(subscribed_ - closed_);
    while (latencies_.size() < live && now_us() < deadline)
      poll_once(50);
    std::string body;
    int status = read_response(publisher_, &body);
    if (status < 200 || status > 299)
      std::fprintf(stderr, "publish %d answered %d %s\n", k, status,
                   body.c_str());
    return latencies_;
  }

  void drain_for(int ms) {
    int64_t until = now_us() + int64_t{ms} * 1000;
    while (now_us() < until)
      poll_once(static_cast<int>((until - now_us()) / 1000) + 1);
  }

  void print_line(const std::string& label, std::vector<double> v,
                  int expected = -1) {
    size_t got = v.size();
    double p50 = percentile(v, 0.5), p99 = percentile(v, 0.99);
    // percentile() sorted v. The first arrival shows how soon the server
    // starts writing; the spread after it is mostly writing and reading
    // N sockets on two cores.
    double min = v.empty() ? 0 : v.front(), max = v.empty() ? 0 : v.back();
    std::printf("%s received %zu/%d p50_ms %.1f p99_ms %.1f max_ms %.1f "
                "first_ms %.1f\n",
                label.c_str(), got, expected < 0 ? o_.subscribers : expected,
                p50, p99, max, min);
    std::fflush(stdout);
  }

  options o_;
  std::string key_;
  int epoll_ = -1;
  int publisher_ = -1;
  std::vector<subscriber> subs_;
  int subscribed_ = 0, refused_ = 0, closed_ = 0;
  std::string first_refusal_;
  std::vector<int64_t> published_at_;
  std::vector<double> latencies_;
};

} // namespace

int main(int argc, char** argv) {
  return fanout{parse_options(argc, argv)}.run();
}
