#pragma once

// What every fuzz target shares: the libFuzzer entry point it defines, and
// a check that aborts (so libFuzzer and the replay runner both report it)
// when an invariant of the code under test does not hold.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace jobsync::fuzz {

inline std::string_view text_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits the input into `n` parts at 0x00 bytes (the last part takes the
/// rest), so one input can feed several arguments.
template <size_t N>
void split(std::string_view input, std::string_view (&parts)[N]) {
  for (size_t i = 0; i < N; ++i) {
    auto cut = i + 1 < N ? input.find('\0') : std::string_view::npos;
    parts[i] = input.substr(0, cut);
    input = cut == std::string_view::npos ? std::string_view{}
                                          : input.substr(cut + 1);
  }
}

} // namespace jobsync::fuzz

#define FUZZ_CHECK(condition)                                                  \
  do {                                                                         \
    if (!(condition)) {                                                        \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,          \
                   __LINE__, #condition);                                      \
      std::abort();                                                            \
    }                                                                          \
  } while (false)
