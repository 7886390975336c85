#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// Decodes `%XX` escapes (and `+` as a space when asked); nullopt for a
/// malformed escape. Shared by the server's query and path parsing and the
/// emulator's.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space);

} // namespace jobsync
