#include "tools/replicate-sim/seeded.hpp"

#include <openssl/evp.h>

namespace jobsync::sim {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t hash_combine(uint64_t h, uint64_t v) {
  return mix64(h ^ mix64(v + 0x632be59bd9b4e019ULL));
}

uint64_t hash_string(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

uint64_t hash_combine(uint64_t h, std::string_view label) {
  return hash_combine(h, hash_string(label));
}

double unit_interval(uint64_t h) {
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

double uniform(uint64_t h, double lo, double hi) {
  return lo + (hi - lo) * unit_interval(h);
}

namespace {

std::string draw(uint64_t h, size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  uint64_t state = h;
  for (size_t i = 0; i < n; ++i) {
    state = mix64(state + i);
    out += alphabet[state % alphabet.size()];
  }
  return out;
}

} // namespace

std::string make_job_id(uint64_t h) {
  return draw(h, 26, "abcdefghijklmnopqrstuvwxyz0123456789");
}

std::string make_base62(uint64_t h, size_t n) {
  return draw(h, n,
              "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

std::string make_hex(uint64_t h, size_t n) {
  return draw(h, n, "0123456789abcdef");
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

uint64_t seeded_rng::next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace jobsync::sim
