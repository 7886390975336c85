#include "http/deadlines.hpp"

#include "http/error_table.hpp"

#include <vector>

namespace jobsync::http {

namespace {

// How often overdue requests are looked for: a request may be answered
// 504 this much later than its timeout.
constexpr auto tick = std::chrono::milliseconds{50};

} // namespace

deadline_keeper::deadline_keeper(std::chrono::milliseconds timeout)
    : timeout_(timeout), thread_([this] { run(); }) {}

deadline_keeper::~deadline_keeper() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

uint64_t deadline_keeper::watch(exchange_ptr ex) {
  auto due = std::chrono::steady_clock::now() + timeout_;
  std::lock_guard<std::mutex> guard{mutex_};
  auto ticket = next_++;
  pending_.emplace_hint(pending_.end(), ticket, entry{due, std::move(ex)});
  return ticket;
}

void deadline_keeper::release(uint64_t ticket) {
  exchange_ptr gone;
  std::lock_guard<std::mutex> guard{mutex_};
  auto i = pending_.find(ticket);
  if (i == pending_.end())
    return;
  // The exchange is destroyed outside the lock (it may hold a body).
  gone = std::move(i->second.ex);
  pending_.erase(i);
}

size_t deadline_keeper::pending() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return pending_.size();
}

void deadline_keeper::run() {
  std::unique_lock<std::mutex> lock{mutex_};
  while (!stopping_) {
    wake_.wait_for(lock, tick);
    std::vector<exchange_ptr> overdue;
    auto now = std::chrono::steady_clock::now();
    while (!pending_.empty() && pending_.begin()->second.due <= now) {
      overdue.push_back(std::move(pending_.begin()->second.ex));
      pending_.erase(pending_.begin());
    }
    if (overdue.empty())
      continue;
    lock.unlock();
    // A late answer from the actor is ignored by the exchange.
    for (auto& ex : overdue)
      ex->respond(error_response(failure{
          errc::timeout, "the server did not finish the request in time"}));
    overdue.clear();
    lock.lock();
  }
}

} // namespace jobsync::http
