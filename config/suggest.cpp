#include "config/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace jobsync::config {

namespace {

size_t edit_distance(std::string_view x, std::string_view y) {
  std::vector<size_t> row(y.size() + 1);
  std::iota(row.begin(), row.end(), size_t{0});
  for (size_t i = 1; i <= x.size(); ++i) {
    auto diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      auto above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

} // namespace

std::string did_you_mean(std::string_view wrong,
                         const std::vector<std::string>& candidates) {
  // Allow about one edit per four characters, so short words do not
  // "match" everything.
  auto best = std::max<size_t>(2, wrong.size() / 4) + 1;
  const std::string* pick = nullptr;
  for (auto& x : candidates) {
    auto d = edit_distance(wrong, x);
    if (d < best) {
      best = d;
      pick = &x;
    }
  }
  return pick ? " (did you mean " + *pick + "?)" : std::string{};
}

} // namespace jobsync::config
