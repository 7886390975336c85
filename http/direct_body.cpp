#include "http/direct_body.hpp"

#include <cerrno>
#include <cstdio>

namespace jobsync::http {

namespace {

constexpr char crlf[] = "\r\n";

// The chunk's size line ("1A2\r\n"); returns its length.
size_t size_line(char (&out)[24], size_t bytes) {
  auto n = std::snprintf(out, sizeof(out), "%zX\r\n", bytes);
  return static_cast<size_t>(n);
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

bool direct_body::write(const std::string& bytes) {
  auto n = bytes.size();
  if (broken_) {
    tally_->written(n, false);
    return false;
  }
  char head[24];
  auto head_size = size_line(head, n);
  auto framed = head_size + n + 2;
  if (!unsent_.empty()) {
    unsent_.append(head, head_size).append(bytes).append(crlf, 2);
    owed_.push_back({framed, n});
    return true;
  }
  iovec parts[3] = {{head, head_size},
                    {const_cast<char*>(bytes.data()), n},
                    {const_cast<char*>(crlf), 2}};
  auto result = line_->send(parts, 3);
  if (result < 0 && result != -EAGAIN) {
    tally_->written(n, false);
    fail();
    return false;
  }
  auto done = result < 0 ? size_t{0} : static_cast<size_t>(result);
  if (done == framed) {
    tally_->written(n, true);
    return false;
  }
  // The socket is full: the rest of this chunk waits, exactly as framed.
  unsent_.append(head, head_size).append(bytes).append(crlf, 2);
  unsent_offset_ = done;
  owed_.push_back({framed - done, n});
  return true;
}

bool direct_body::resume() {
  while (!broken_ && !unsent_.empty()) {
    iovec part{unsent_.data() + unsent_offset_,
               unsent_.size() - unsent_offset_};
    auto result = line_->send(&part, 1);
    if (result == -EAGAIN || result == 0)
      return true;
    if (result < 0) {
      fail();
      return false;
    }
    sent(static_cast<size_t>(result));
  }
  return false;
}

void direct_body::sent(size_t framed) {
  unsent_offset_ += framed;
  while (!owed_.empty() && framed >= owed_.front().framed_left) {
    framed -= owed_.front().framed_left;
    tally_->written(owed_.front().bytes, true);
    owed_.pop_front();
  }
  if (!owed_.empty())
    owed_.front().framed_left -= framed;
  if (unsent_offset_ == unsent_.size()) {
    unsent_.clear();
    unsent_offset_ = 0;
  }
}

void direct_body::fail() {
  if (broken_)
    return;
  broken_ = true;
  for (const auto& o : owed_)
    tally_->written(o.bytes, false);
  owed_.clear();
  unsent_.clear();
  unsent_offset_ = 0;
}

void direct_body::refuse(size_t bytes) noexcept {
  tally_->written(bytes, false);
}

} // namespace jobsync::http
