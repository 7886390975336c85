#include "storage/pg_event_feed.hpp"

#include "logging/log.hpp"
#include "storage/pg_catalog.hpp"

#include <algorithm>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace jobsync::storage {

namespace {

constexpr int64_t page_size = 1000;
constexpr std::chrono::milliseconds idle_check{5000};
constexpr std::chrono::milliseconds first_backoff{100};
constexpr std::chrono::milliseconds max_backoff{2000};

} // namespace

pg_event_feed::pg_event_feed(pg::settings s, uint64_t after,
                             event_handlers handlers)
    : settings_(std::move(s)), last_(after), handlers_(std::move(handlers)),
      wake_fd_(eventfd(0, EFD_CLOEXEC)) {
  thread_ = std::thread{[this] { loop(); }};
}

pg_event_feed::~pg_event_feed() {
  stopping_ = true;
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof(one)) < 0)
    log::warning("events", "cannot wake the event feed thread");
  thread_.join();
  close(wake_fd_);
}

bool pg_event_feed::wait(std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {-1, POLLIN, 0}};
  if (conn_)
    fds[1].fd = PQsocket(conn_->get());
  poll(fds, conn_ ? 2 : 1, static_cast<int>(timeout.count()));
  return !stopping_;
}

bool pg_event_feed::connect() {
  auto c = pg::connection::open(settings_);
  if (!c)
    return false;
  if (!c->exec(std::string{"LISTEN "} + pg::event_channel, "listen"))
    return false;
  conn_ = std::move(*c);
  return true;
}

bool pg_event_feed::catch_up() {
  for (;;) {
    auto r = conn_->run(
        pg::events_after,
        pg::params{}.int64(static_cast<int64_t>(last_)).int64(page_size));
    if (!r) {
      log::warning("events", "reading new events failed: {}", r.error().detail);
      return !conn_->broken();
    }
    std::vector<job_changed> events;
    for (int i = 0; i < r->size(); ++i) {
      auto e = pg::event_of(*r, i);
      if (!e) {
        log::error("events", "skipped an unreadable event after id {}", last_);
        continue;
      }
      events.push_back(std::move(*e));
    }
    if (events.empty())
      return true;
    if (events.front().event_id != last_ + 1) {
      log::warning("events",
                   "events {} to {} were pruned before this replica read "
                   "them: subscribers resynchronise",
                   last_ + 1, events.front().event_id - 1);
      handlers_.on_gap(events.front().event_id - 1);
    }
    last_ = events.back().event_id;
    handlers_.on_events(std::move(events));
    if (r->size() < page_size)
      return true;
  }
}

void pg_event_feed::loop() {
  auto backoff = first_backoff;
  bool was_down = false;
  while (!stopping_) {
    if (!conn_) {
      if (!connect()) {
        if (!was_down)
          log::warning("events",
                       "the event feed lost the database; reconnecting");
        was_down = true;
        if (!wait(backoff))
          return;
        backoff = std::min(backoff * 2, max_backoff);
        continue;
      }
      if (was_down)
        log::info("events", "the event feed is connected again");
      was_down = false;
      backoff = first_backoff;
      if (!catch_up()) {
        conn_.reset();
        continue;
      }
    }
    if (!wait(idle_check))
      return;
    if (PQconsumeInput(conn_->get()) == 0) {
      conn_.reset();
      continue;
    }
    // Every notification means "there is something after your last id";
    // one catch-up serves them all.
    while (PGnotify* n = PQnotifies(conn_->get()))
      PQfreemem(n);
    if (!catch_up())
      conn_.reset();
  }
}

} // namespace jobsync::storage
