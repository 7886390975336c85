#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace jobsync::test {

/// The text of `tests/unit/providers/fixtures/<name>`; throws (failing the
/// test case) when the file is missing.
inline std::string fixture(const std::string& name) {
  std::ifstream in{std::string{JOBSYNC_FIXTURES} + "/" + name};
  if (!in)
    throw std::runtime_error("missing fixture " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

} // namespace jobsync::test
