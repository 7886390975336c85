#include "tools/trainer-sim/png.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace jobsync::tools {

namespace {

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[n] = c;
  }
  return t;
}

uint32_t crc32(std::string_view bytes) {
  static const auto table = make_crc_table();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes)
    c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t adler32(std::string_view bytes) {
  uint32_t a = 1, b = 0;
  for (unsigned char x : bytes) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  return b << 16 | a;
}

void put_be32(std::string& out, uint32_t x) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((x >> shift) & 0xFF);
}

void put_chunk(std::string& out, std::string_view type, std::string_view data) {
  put_be32(out, static_cast<uint32_t>(data.size()));
  std::string typed{type};
  typed += data;
  out += typed;
  put_be32(out, crc32(typed));
}

// A zlib stream of uncompressed ("stored") deflate blocks: valid for every
// decoder, no compressor needed.
std::string zlib_stored(std::string_view raw) {
  std::string out = "\x78\x01";
  size_t at = 0;
  do {
    auto n = std::min<size_t>(raw.size() - at, 65535);
    bool last = at + n == raw.size();
    out += static_cast<char>(last ? 1 : 0);
    out += static_cast<char>(n & 0xFF);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(~n & 0xFF);
    out += static_cast<char>((~n >> 8) & 0xFF);
    out.append(raw.substr(at, n));
    at += n;
  } while (at < raw.size());
  put_be32(out, adler32(raw));
  return out;
}

} // namespace

std::string make_png(uint32_t width, uint32_t height, uint32_t seed) {
  std::string raw;
  raw.reserve(static_cast<size_t>(height) * (1 + 3 * width));
  for (uint32_t y = 0; y < height; ++y) {
    raw += '\0'; // filter: none
    for (uint32_t x = 0; x < width; ++x) {
      raw += static_cast<char>((x * 255 / (width ? width : 1) + seed * 40)
                               & 0xFF);
      raw += static_cast<char>((y * 255 / (height ? height : 1)) & 0xFF);
      raw += static_cast<char>(((x ^ y) + seed * 17) & 0xFF);
    }
  }
  std::string header;
  put_be32(header, width);
  put_be32(header, height);
  header += "\x08\x02";           // 8 bits, RGB
  header += std::string(3, '\0'); // deflate, adaptive filters, no interlace
  std::string out = "\x89PNG\r\n\x1a\n";
  put_chunk(out, "IHDR", header);
  put_chunk(out, "IDAT", zlib_stored(raw));
  put_chunk(out, "IEND", "");
  return out;
}

} // namespace jobsync::tools
