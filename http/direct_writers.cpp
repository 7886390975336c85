#include "http/direct_writers.hpp"

#include "logging/log.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>

namespace jobsync::http {

namespace {

using clock = std::chrono::steady_clock;

// The epoll token of a lane's wake-up descriptor; a body's token is its
// address, never 0.
constexpr uint64_t wake_token = 0;

uint64_t token_of(const direct_body* body) {
  return reinterpret_cast<uintptr_t>(body);
}

} // namespace

struct direct_writers::lane {
  // A body's first entry (opened), then its writes (bytes set), then its
  // finish (then set).
  struct entry {
    enum class kind { opened, write, finish };
    kind what;
    std::shared_ptr<direct_body> body;
    std::shared_ptr<const std::string> bytes = {};
    std::function<void()> then = {};
  };

  // A body with bytes waiting for a writable socket, or a finish waiting
  // for them.
  struct waiting {
    std::shared_ptr<direct_body> body;
    std::function<void()> then;
    clock::time_point deadline;
  };

  lane(std::chrono::milliseconds finish_limit,
       std::chrono::milliseconds keep_open_period)
      : finish_limit(finish_limit), keep_open_period(keep_open_period) {
    epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_fd < 0 || wake_fd < 0)
      throw std::system_error{errno, std::generic_category(),
                              "cannot create a stream writer"};
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = wake_token;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &e);
    thread = std::thread{[this] { run(); }};
  }

  ~lane() {
    stop();
    ::close(wake_fd);
    ::close(epoll_fd);
  }

  // False once stopped: the entry is left to the caller to settle.
  bool push(entry& e) {
    bool wake;
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (stopping)
        return false;
      wake = queue.empty();
      queue.push_back(std::move(e));
    }
    if (wake) {
      uint64_t one = 1;
      [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof(one));
    }
    return true;
  }

  void stop() {
    {
      std::lock_guard<std::mutex> guard{mtx};
      if (stopping)
        return;
      stopping = true;
    }
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof(one));
    if (thread.joinable())
      thread.join();
  }

  void run() {
    epoll_event events[64];
    std::vector<entry> taken;
    for (;;) {
      auto n = ::epoll_wait(epoll_fd, events, 64, wait_ms());
      bool stop_now = false;
      for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 != wake_token) {
          resume(events[i].data.u64);
          continue;
        }
        uint64_t count;
        [[maybe_unused]] auto r = ::read(wake_fd, &count, sizeof(count));
        {
          std::lock_guard<std::mutex> guard{mtx};
          taken.swap(queue);
          stop_now = stopping;
        }
        for (auto& e : taken)
          handle(e);
        taken.clear();
      }
      auto now = clock::now();
      give_up_late(now);
      if (!open_bodies.empty() && now >= next_keep_open)
        keep_open(now);
      if (stop_now) {
        for (auto& [token, w] : waiting_bodies) {
          w.body->fail();
          if (w.then)
            w.then();
        }
        waiting_bodies.clear();
        return;
      }
    }
  }

  // Until the nearest finish deadline or keep-open round (-1: none).
  int wait_ms() const {
    auto nearest
        = open_bodies.empty() ? clock::time_point::max() : next_keep_open;
    for (const auto& [token, w] : waiting_bodies)
      if (w.then && w.deadline < nearest)
        nearest = w.deadline;
    if (nearest == clock::time_point::max())
      return -1;
    auto left
        = std::chrono::ceil<std::chrono::milliseconds>(nearest - clock::now());
    return static_cast<int>(std::max<int64_t>(left.count(), 0));
  }

  void handle(entry& e) {
    auto token = token_of(e.body.get());
    if (e.what == entry::kind::opened) {
      if (open_bodies.empty())
        next_keep_open = clock::now() + keep_open_period;
      // (A body at the address of one that is gone takes its place.)
      open_bodies[token] = e.body;
      return;
    }
    auto w = waiting_bodies.find(token);
    if (e.what == entry::kind::finish) {
      open_bodies.erase(token);
      if (w == waiting_bodies.end())
        return e.then();
      w->second.then = std::move(e.then);
      w->second.deadline = clock::now() + finish_limit;
      // A closed connection's socket reports nothing more: its unsent
      // bytes are given up now rather than at the deadline.
      if (!w->second.body->line().attached()) {
        w->second.body->fail();
        settle(w);
      }
      return;
    }
    if (!e.body->write(std::move(e.bytes)) || w != waiting_bodies.end())
      return;
    // Bytes are left and nobody watches this socket yet.
    if (!e.body->line().watch_writable(epoll_fd, token)) {
      e.body->fail();
      return;
    }
    waiting_bodies.emplace(token, waiting{std::move(e.body), {}, {}});
  }

  void resume(uint64_t token) {
    auto w = waiting_bodies.find(token);
    if (w == waiting_bodies.end())
      return;
    auto& body = *w->second.body;
    if (body.resume() && body.line().watch_writable(epoll_fd, token))
      return;
    if (!body.idle())
      body.fail();
    settle(w);
  }

  // The body is done waiting (sent, or broken): its finish may run.
  void settle(std::unordered_map<uint64_t, waiting>::iterator w) {
    w->second.body->line().unwatch(epoll_fd);
    auto then = std::move(w->second.then);
    waiting_bodies.erase(w);
    if (then)
      then();
  }

  // Finished bodies whose reader did not take the rest in time.
  void give_up_late(clock::time_point now) {
    for (auto w = waiting_bodies.begin(); w != waiting_bodies.end();) {
      auto next = std::next(w);
      if (w->second.then && w->second.deadline <= now) {
        log::info("http",
                  "an event stream's reader took nothing for {} ms after "
                  "its end: connection shut down",
                  finish_limit.count());
        w->second.body->line().shut_down();
        w->second.body->fail();
        settle(w);
      }
      w = next;
    }
  }

  // Tells every open body's response to stay open; forgets the bodies
  // that are gone (their stream let go without finishing).
  void keep_open(clock::time_point now) {
    for (auto b = open_bodies.begin(); b != open_bodies.end();) {
      if (auto body = b->second.lock()) {
        body->keep_open();
        ++b;
      } else {
        b = open_bodies.erase(b);
      }
    }
    next_keep_open = now + keep_open_period;
  }

  std::chrono::milliseconds finish_limit;
  std::chrono::milliseconds keep_open_period;
  int epoll_fd = -1;
  int wake_fd = -1;
  std::mutex mtx;
  std::vector<entry> queue;
  bool stopping = false;
  std::thread thread;
  // Only the lane's thread touches these.
  std::unordered_map<uint64_t, waiting> waiting_bodies;
  // The bodies opened and not finished.
  std::unordered_map<uint64_t, std::weak_ptr<direct_body>> open_bodies;
  clock::time_point next_keep_open;
};

direct_writers::direct_writers(size_t threads,
                               std::chrono::milliseconds finish_limit,
                               std::chrono::milliseconds keep_open_period) {
  for (size_t i = 0; i < std::max<size_t>(threads, 1); ++i)
    lanes_.push_back(std::make_unique<lane>(finish_limit, keep_open_period));
}

direct_writers::~direct_writers() {
  stop();
}

std::shared_ptr<direct_body>
direct_writers::open(std::shared_ptr<direct_line> line, write_tally* tally,
                     std::function<void()> keep_open) {
  auto body = std::make_shared<direct_body>(std::move(line), tally,
                                            std::move(keep_open));
  body->lane = next_lane_.fetch_add(1, std::memory_order_relaxed);
  lane::entry e{lane::entry::kind::opened, body};
  lane_of(*body).push(e);
  return body;
}

direct_writers::lane& direct_writers::lane_of(const direct_body& body) {
  return *lanes_[body.lane % lanes_.size()];
}

void direct_writers::write(const std::shared_ptr<direct_body>& body,
                           std::shared_ptr<const std::string> bytes) {
  auto n = bytes->size();
  lane::entry e{lane::entry::kind::write, body, std::move(bytes)};
  if (!lane_of(*body).push(e))
    body->refuse(n);
}

void direct_writers::finish(const std::shared_ptr<direct_body>& body,
                            std::function<void()> then) {
  auto& l = lane_of(*body);
  lane::entry e{lane::entry::kind::finish, body, {}, std::move(then)};
  if (!l.push(e) && e.then)
    e.then();
}

void direct_writers::stop() {
  for (auto& l : lanes_)
    l->stop();
}

} // namespace jobsync::http
