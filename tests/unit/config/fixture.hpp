#pragma once

#include "config/loader.hpp"
#include "config/render.hpp"
#include "config/settings.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string>
#include <unistd.h>
#include <vector>

/// Stops the test case unless `r` (a result) holds a value; shows the
/// error otherwise.
#define REQUIRE_OK(r)                                                          \
  BOOST_REQUIRE_MESSAGE(static_cast<bool>(r),                                  \
                        ((r) ? std::string{} : (r).error().detail))

namespace jobsync::config::test {

/// Runs the loader on `args` (program name added) and an injected
/// environment.
inline result<load_result> load(std::vector<std::string> args,
                                const environment& env = {}) {
  args.insert(args.begin(), "jobsyncd");
  std::vector<const char*> argv;
  for (auto& x : args)
    argv.push_back(x.c_str());
  argv.push_back(nullptr);
  return parse_command_line(static_cast<int>(args.size()), argv.data(), env);
}

/// A YAML file in the temporary folder, removed at scope exit.
class temp_yaml {
public:
  explicit temp_yaml(const std::string& text) {
    char name[] = "/tmp/jobsync-config-XXXXXX.yaml";
    auto fd = ::mkstemps(name, 5);
    BOOST_REQUIRE(fd >= 0);
    ::close(fd);
    path_ = name;
    std::ofstream{path_} << text;
  }

  temp_yaml(const temp_yaml&) = delete;
  temp_yaml& operator=(const temp_yaml&) = delete;

  ~temp_yaml() {
    std::remove(path_.c_str());
  }

  const std::string& path() const {
    return path_;
  }

private:
  std::string path_;
};

/// Loads `yaml` as the --config file with `args` after it.
inline result<load_result> load_yaml(const std::string& yaml,
                                     std::vector<std::string> args = {},
                                     const environment& env = {}) {
  temp_yaml file{yaml};
  args.insert(args.begin(), {"--config", file.path()});
  return load(std::move(args), env);
}

/// Checks that `r` failed with a message containing every fragment.
template <class T>
void check_error(const result<T>& r,
                 std::initializer_list<std::string> fragments) {
  BOOST_REQUIRE_MESSAGE(!static_cast<bool>(r),
                        "loading succeeded but should have failed");
  for (auto& x : fragments)
    BOOST_TEST(r.error().detail.find(x) != std::string::npos,
               "message \"" << r.error().detail << "\" lacks \"" << x << "\"");
}

/// Whether two settings hold the same value for every key.
inline bool same(const settings& x, const settings& y) {
  return render_yaml(x, false) == render_yaml(y, false);
}

} // namespace jobsync::config::test
