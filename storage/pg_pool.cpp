#include "storage/pg_pool.hpp"

namespace jobsync::storage::pg {

lease::lease(lease&& other) noexcept
    : owner_(other.owner_), conn_(std::move(other.conn_)),
      reused_(other.reused_) {
  other.conn_.reset();
}

lease& lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    if (conn_)
      owner_->release(std::move(*conn_));
    owner_ = other.owner_;
    conn_ = std::move(other.conn_);
    reused_ = other.reused_;
    other.conn_.reset();
  }
  return *this;
}

lease::~lease() {
  if (conn_)
    owner_->release(std::move(*conn_));
}

result<lease> pool::acquire() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return lease{*this, std::move(c), true};
    }
  }
  return fresh();
}

result<lease> pool::fresh() {
  auto c = connection::open(settings_);
  if (!c)
    return c.error();
  return lease{*this, std::move(*c), false};
}

void pool::drop_idle() {
  std::vector<connection> dropped;
  std::lock_guard<std::mutex> guard{mtx_};
  dropped.swap(idle_);
}

void pool::release(connection c) {
  if (c.broken())
    return;
  // A connection given back inside a transaction (a failed statement left
  // it aborted) must not carry that into its next use.
  auto status = PQtransactionStatus(c.get());
  if (status != PQTRANS_IDLE) {
    if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR)
      return;
    if (!c.exec("ROLLBACK", "rollback"))
      return;
  }
  std::lock_guard<std::mutex> guard{mtx_};
  if (idle_.size() < keep_)
    idle_.push_back(std::move(c));
}

} // namespace jobsync::storage::pg
