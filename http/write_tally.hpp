#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <system_error>
#include <type_traits>

namespace jobsync::http {

/// What a streaming response's write notices update: the bytes queued and
/// not yet written, and whether a write failed. The notices run on I/O
/// threads and may come after the stream is gone, so the tally counts its
/// own references: the stream holds one, each queued write another.
class write_tally {
public:
  /// `on_broken` runs once, on an I/O thread, when a write fails (the
  /// connection broke). Starts with one reference, the creator's.
  static write_tally* make(std::function<void()> on_broken);

  /// A write of `bytes` is queued: counts them and takes a reference,
  /// which written() gives back.
  void queued(size_t bytes) noexcept;

  /// The write of `bytes` reached the socket (ok) or never will.
  void written(size_t bytes, bool ok) noexcept;

  /// Bytes queued that have not been written.
  size_t unflushed() const noexcept;

  /// Takes a reference (for a holder other than a queued write).
  void retain() noexcept;

  /// Gives back a reference; the last one deletes the tally.
  void release() noexcept;

  write_tally(const write_tally&) = delete;
  write_tally& operator=(const write_tally&) = delete;

private:
  explicit write_tally(std::function<void()> on_broken)
      : on_broken_(std::move(on_broken)) {}
  ~write_tally() = default;

  std::atomic<size_t> refs_{1};
  std::atomic<size_t> unflushed_{0};
  std::atomic<bool> broken_{false};
  std::function<void()> on_broken_;
};

/// The completion of one queued write, as the HTTP library calls it. Two
/// plain words, so that a std::function keeps it inline: a fan-out queues a
/// write per subscriber per event, and a notice that allocated (as a
/// lambda holding a shared_ptr does) cost the SSE hub a malloc and an I/O
/// thread a free for each of them.
struct write_notice {
  write_tally* tally;
  size_t bytes;

  void operator()(const std::error_code& ec) const noexcept {
    tally->written(bytes, !ec);
  }
};

static_assert(std::is_trivially_copyable_v<
                  write_notice> && sizeof(write_notice) <= 2 * sizeof(void*),
              "a write notice must fit a std::function's inline storage");

} // namespace jobsync::http
