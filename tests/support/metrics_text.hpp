#pragma once

// Reading one sample out of a Prometheus text exposition (`GET /metrics`).

#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync::test {

/// The value of the sample whose name and labels are exactly `series`
/// (e.g. `jobsync_jobs_stale{provider="replicate"}`); nullopt when the
/// exposition has no such line.
inline std::optional<double> metric_value(std::string_view text,
                                          std::string_view series) {
  for (size_t start = 0; start < text.size();) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.size() > series.size() && line.substr(0, series.size()) == series
        && line[series.size()] == ' ')
      return std::strtod(std::string{line.substr(series.size() + 1)}.c_str(),
                         nullptr);
  }
  return std::nullopt;
}

} // namespace jobsync::test
