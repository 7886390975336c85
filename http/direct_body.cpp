#include "http/direct_body.hpp"

#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace jobsync::http {

namespace {

constexpr char crlf[] = "\r\n";

// Chunks (three parts each) handed to one sendmsg at most.
constexpr size_t chunks_per_send = 16;

// Appends the parts of a chunk that remain after `skip` bytes.
int add_parts(iovec* out, const char* size_line, size_t size_line_length,
              const std::string& bytes, size_t skip) {
  const std::pair<const char*, size_t> parts[] = {
      {size_line, size_line_length}, {bytes.data(), bytes.size()}, {crlf, 2}};
  int n = 0;
  for (const auto& [data, size] : parts) {
    if (skip >= size) {
      skip -= size;
      continue;
    }
    out[n++] = {const_cast<char*>(data + skip), size - skip};
    skip = 0;
  }
  return n;
}

} // namespace

direct_body::direct_body(std::shared_ptr<direct_line> line, write_tally* tally,
                         std::function<void()> keep_open)
    : line_(std::move(line)), tally_(tally), keep_open_(std::move(keep_open)) {
  tally_->retain();
}

direct_body::~direct_body() {
  fail();
  tally_->release();
}

bool direct_body::write(std::shared_ptr<const std::string> bytes) {
  auto n = bytes->size();
  if (broken_) {
    tally_->written(n, false);
    return false;
  }
  chunk c{std::move(bytes), {}, 0, 0};
  c.size_line_length = static_cast<size_t>(
      std::snprintf(c.size_line, sizeof(c.size_line), "%zX\r\n", n));
  if (!unsent_.empty()) {
    unsent_.push_back(std::move(c));
    return true;
  }
  iovec parts[3];
  auto count = add_parts(parts, c.size_line, c.size_line_length, *c.bytes, 0);
  auto result = line_->send(parts, count);
  if (result < 0 && result != -EAGAIN) {
    tally_->written(n, false);
    fail();
    return false;
  }
  c.sent = result < 0 ? size_t{0} : static_cast<size_t>(result);
  if (c.sent == c.framed()) {
    tally_->written(n, true);
    return false;
  }
  // The socket is full: the rest of this chunk waits for it.
  unsent_.push_back(std::move(c));
  return true;
}

bool direct_body::resume() {
  while (!broken_ && !unsent_.empty())
    if (!send_some())
      return !broken_ && !unsent_.empty();
  return false;
}

bool direct_body::send_some() {
  iovec parts[3 * chunks_per_send];
  int count = 0;
  auto last
      = unsent_.begin()
        + static_cast<ptrdiff_t>(std::min(unsent_.size(), chunks_per_send));
  for (auto c = unsent_.begin(); c != last; ++c)
    count += add_parts(parts + count, c->size_line, c->size_line_length,
                       *c->bytes, c->sent);
  auto result = line_->send(parts, count);
  if (result == -EAGAIN || result == 0)
    return false;
  if (result < 0) {
    fail();
    return false;
  }
  // The chunks sent whole are written; the next one has gone out in part.
  auto sent = static_cast<size_t>(result);
  while (sent > 0) {
    auto& c = unsent_.front();
    auto left = c.framed() - c.sent;
    if (sent < left) {
      c.sent += sent;
      break;
    }
    sent -= left;
    tally_->written(c.bytes->size(), true);
    unsent_.pop_front();
  }
  return true;
}

void direct_body::fail() {
  if (broken_)
    return;
  broken_ = true;
  for (const auto& c : unsent_)
    tally_->written(c.bytes->size(), false);
  unsent_.clear();
}

void direct_body::refuse(size_t bytes) noexcept {
  tally_->written(bytes, false);
}

} // namespace jobsync::http
