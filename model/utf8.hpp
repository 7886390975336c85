#pragma once

#include <string>
#include <string_view>

namespace jobsync {

/// Whether `s` is well-formed UTF-8 as RFC 3629 defines it (no overlong
/// forms, no surrogates, nothing above U+10FFFF). JSON parsing lets other
/// bytes through, and PostgreSQL refuses them in a text column. ASCII runs
/// are skipped eight bytes at a time.
bool valid_utf8(std::string_view s);

/// `s` with every byte that does not start a well-formed UTF-8 character
/// replaced by U+FFFD, the replacement character.
std::string with_invalid_utf8_replaced(std::string_view s);

} // namespace jobsync
