// Runs a fuzz target without libFuzzer, so that every build's CTest
// exercises it: each seed file of the corpus folders given, then
// deterministic mutations of each (bit flips, cuts, inserted and repeated
// bytes, splices with another seed) from a fixed random seed. libFuzzer
// (scripts/fuzz.sh, clang) searches far further; this keeps the targets
// and their invariants honest in the everyday build.
//   <target> <iterations per seed> <corpus folder>...

#include "tests/fuzz/fuzz_target.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

std::vector<std::string> read_seeds(int argc, char** argv) {
  std::vector<std::string> seeds;
  for (int i = 2; i < argc; ++i) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(argv[i]))
      if (e.is_regular_file())
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in{f, std::ios::binary};
      seeds.emplace_back(std::istreambuf_iterator<char>{in},
                         std::istreambuf_iterator<char>{});
    }
  }
  return seeds;
}

std::string mutate(std::string s, const std::vector<std::string>& seeds,
                   std::mt19937_64& rng) {
  auto pick = [&](size_t n) {
    return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n);
  };
  static const char interesting[]
      = {'\0', '"',  '\\', '{', '}', '[', ']',    ',',    ':',   '%',
         '\n', '\r', '.',  '-', '9', ' ', '\x7f', '\xc3', '\xff'};
  for (int rounds = 1 + static_cast<int>(pick(4)); rounds > 0; --rounds) {
    switch (pick(6)) {
    case 0: // flip a bit
      if (!s.empty())
        s[pick(s.size())] ^= static_cast<char>(1 << pick(8));
      break;
    case 1: // cut the tail or the head
      if (!s.empty())
        s = pick(2) ? s.substr(0, pick(s.size())) : s.substr(pick(s.size()));
      break;
    case 2: // insert a byte that parsers care about
      s.insert(s.begin() + static_cast<long>(pick(s.size() + 1)),
               interesting[pick(sizeof(interesting))]);
      break;
    case 3: { // repeat a slice
      if (s.empty())
        break;
      auto at = pick(s.size());
      auto len = 1 + pick(std::min<size_t>(64, s.size() - at));
      s.insert(at, s.substr(at, len));
      break;
    }
    case 4: { // splice with another seed
      const auto& other = seeds[pick(seeds.size())];
      s = s.substr(0, pick(s.size() + 1))
          + other.substr(pick(other.size() + 1));
      break;
    }
    default: // overwrite a byte with anything
      if (!s.empty())
        s[pick(s.size())] = static_cast<char>(rng());
      break;
    }
  }
  return s;
}

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                         input.size());
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <iterations per seed> <corpus>...\n",
                 argv[0]);
    return 2;
  }
  auto iterations = std::stoul(argv[1]);
  auto seeds = read_seeds(argc, argv);
  seeds.emplace_back(); // the empty input
  std::mt19937_64 rng{20261129};
  size_t runs = 0;
  for (const auto& seed : seeds) {
    run(seed);
    ++runs;
    for (unsigned long i = 0; i < iterations; ++i, ++runs)
      run(mutate(seed, seeds, rng));
  }
  std::printf("%zu inputs from %zu seeds: no invariant failed\n", runs,
              seeds.size());
  return 0;
}
