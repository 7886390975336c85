#include "http/connection_callback.hpp"

namespace jobsync::http {

namespace {

thread_local const connection_callback* running = nullptr;

} // namespace

const connection_callback* running_callback() noexcept {
  return running;
}

connection_callback_scope::connection_callback_scope(
    const connection_callback& c) noexcept
    : previous_(running) {
  running = &c;
}

connection_callback_scope::~connection_callback_scope() {
  running = previous_;
}

} // namespace jobsync::http
