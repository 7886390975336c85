#include "model/job_logs.hpp"

#include <algorithm>

namespace jobsync {

bool operator==(const job_logs& a, const job_logs& b) {
  return a.tail == b.tail && a.total_bytes == b.total_bytes
         && a.updated_at == b.updated_at && a.progress == b.progress;
}

std::string_view log_tail(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes)
    return text;
  size_t begin = text.size() - max_bytes;
  if (text[begin - 1] != '\n') {
    auto newline = text.find('\n', begin);
    if (newline != std::string_view::npos && newline + 1 < text.size())
      return text.substr(newline + 1);
    while (begin < text.size()
           && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80)
      ++begin;
  }
  return text.substr(begin);
}

bool append_log_line(job_logs& stored, std::string_view text,
                     size_t tail_bytes) {
  auto last = compute_inline_progress(text).last_log;
  if (!last)
    return false;
  std::string grown = std::move(stored.tail);
  grown.append(text);
  grown += '\n';
  stored.tail.assign(log_tail(grown, tail_bytes));
  stored.total_bytes += text.size() + 1;
  stored.progress.last_log = std::move(last);
  return true;
}

bool merge_logs(job_logs& stored, std::string_view full_log, size_t tail_bytes,
                unix_ms now) {
  if (full_log.size() < stored.total_bytes)
    return false;
  auto tail = log_tail(full_log, tail_bytes);
  bool content_changed
      = full_log.size() != stored.total_bytes || tail != stored.tail;
  if (!content_changed && stored.updated_at >= now)
    return false;
  if (content_changed) {
    stored.tail.assign(tail);
    stored.total_bytes = full_log.size();
    stored.progress = compute_inline_progress(stored.tail);
  }
  stored.updated_at = std::max(stored.updated_at, now);
  return true;
}

} // namespace jobsync
