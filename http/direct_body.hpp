#pragma once

#include "http/direct_line.hpp"
#include "http/write_tally.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace jobsync::http {

/// The rest of a chunked response once its head and first bytes are on the
/// wire: each write is one chunk, sent straight to the socket when nothing
/// is waiting before it, and otherwise kept (the shared buffer itself, not
/// a copy) until the socket takes more. The stream counts every write in
/// its tally before handing it here; the body reports each one written once
/// all its bytes are sent, or failed. Used by one thread at a time (its
/// writer's), except refuse().
class direct_body {
public:
  /// Takes a reference on `tally` for as long as it lives. `keep_open`
  /// tells the HTTP library that the response is still alive (it closes a
  /// connection whose response it has not written for its request
  /// timeout, and it does not see these writes).
  direct_body(std::shared_ptr<direct_line> line, write_tally* tally,
              std::function<void()> keep_open);
  ~direct_body();

  direct_body(const direct_body&) = delete;
  direct_body& operator=(const direct_body&) = delete;

  /// Sends `bytes` as one chunk, or keeps it behind the bytes still
  /// unsent. True when bytes are left for when the socket is writable.
  bool write(std::shared_ptr<const std::string> bytes);

  /// Sends what is left; true when some is still left.
  bool resume();

  /// The connection broke (or is given up): every write not sent counts
  /// as failed, and later ones fail at once.
  void fail();

  /// A write of `bytes` that will never be handed to write() (its writer
  /// has stopped) counts as failed. Safe on any thread.
  void refuse(size_t bytes) noexcept;

  bool broken() const {
    return broken_;
  }

  /// Nothing is waiting to be sent.
  bool idle() const {
    return unsent_.empty();
  }

  direct_line& line() {
    return *line_;
  }

  void keep_open() {
    if (keep_open_)
      keep_open_();
  }

  /// Which of its writer's threads owns it (set by direct_writers).
  size_t lane = 0;

private:
  // One write waiting for the socket: its chunk is the size line, the
  // bytes and CRLF, of which `sent` have gone out.
  struct chunk {
    std::shared_ptr<const std::string> bytes;
    char size_line[24];
    size_t size_line_length;
    size_t sent;

    size_t framed() const {
      return size_line_length + bytes->size() + 2;
    }
  };

  // Sends the unsent chunks' bytes, as many as one sendmsg takes; false
  // when the socket took nothing more or failed.
  bool send_some();

  std::shared_ptr<direct_line> line_;
  write_tally* tally_;
  std::function<void()> keep_open_;
  std::deque<chunk> unsent_;
  bool broken_ = false;
};

} // namespace jobsync::http
