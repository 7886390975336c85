#pragma once

#include "tools/replicate-sim/job_store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace jobsync::sim {

/// A decoded list cursor.
struct list_cursor {
  /// The position it refers to.
  list_key position;
  /// True for a `previous` cursor (the page before the position).
  bool reverse = false;
};

/// An opaque cursor: base64 of `p=<created_at, URL-encoded>&i=<id>`, plus
/// `&r=1` for `previous` cursors (the shape of Replicate's, which decode to
/// `p=<created_at>`).
std::string encode_cursor(const list_cursor& cursor);

/// Decodes a cursor; nullopt for anything this emulator did not issue.
std::optional<list_cursor> decode_cursor(std::string_view text);

} // namespace jobsync::sim
