#include "http/write_tally.hpp"

namespace jobsync::http {

write_tally* write_tally::make(std::function<void()> on_broken) {
  return new write_tally{std::move(on_broken)};
}

void write_tally::queued(size_t bytes) noexcept {
  refs_.fetch_add(1, std::memory_order_relaxed);
  unflushed_.fetch_add(bytes, std::memory_order_relaxed);
}

void write_tally::written(size_t bytes, bool ok) noexcept {
  unflushed_.fetch_sub(bytes, std::memory_order_relaxed);
  // The hub hears of a broken connection even if the connection's close
  // notice came before it subscribed.
  if (!ok && !broken_.exchange(true) && on_broken_)
    on_broken_();
  release();
}

size_t write_tally::unflushed() const noexcept {
  return unflushed_.load(std::memory_order_relaxed);
}

void write_tally::retain() noexcept {
  refs_.fetch_add(1, std::memory_order_relaxed);
}

void write_tally::release() noexcept {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete this;
}

} // namespace jobsync::http
