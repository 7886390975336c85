#include "model/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace jobsync {

namespace {

bool continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// The length of the well-formed character that starts `s` (RFC 3629,
// table 3.7 of Unicode: no overlong forms, no surrogates, nothing above
// U+10FFFF); 0 when none does.
size_t character_at(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto c = byte(0);
  if (c < 0x80)
    return 1;
  size_t n = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
  if (n == 0 || s.size() < n)
    return 0;
  // The second byte's range depends on the first.
  unsigned char low = 0x80, high = 0xBF;
  if (c == 0xE0)
    low = 0xA0;
  else if (c == 0xED)
    high = 0x9F;
  else if (c == 0xF0)
    low = 0x90;
  else if (c == 0xF4)
    high = 0x8F;
  if (byte(1) < low || byte(1) > high)
    return 0;
  for (size_t i = 2; i < n; ++i)
    if (!continuation(byte(i)))
      return 0;
  return n;
}

// Where the first byte that is not ASCII is, from `from`; the size when
// there is none. Eight bytes at a time: texts are mostly ASCII, and every
// string written as JSON is checked.
size_t next_non_ascii(std::string_view s, size_t from) {
  size_t i = from;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if (word & 0x8080808080808080ULL)
      break;
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80)
      return i;
  return s.size();
}

} // namespace

bool valid_utf8(std::string_view s) {
  for (size_t i = next_non_ascii(s, 0); i < s.size();
       i = next_non_ascii(s, i)) {
    auto n = character_at(s.substr(i));
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string with_invalid_utf8_replaced(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto ascii_end = next_non_ascii(s, i);
    out.append(s.substr(i, ascii_end - i));
    i = ascii_end;
    if (i == s.size())
      break;
    if (auto n = character_at(s.substr(i))) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

} // namespace jobsync
