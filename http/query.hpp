#pragma once

#include "model/percent_encoding.hpp"
#include "model/result.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::http {

/// A parsed query string: decoded names and values in order of appearance.
class query_params {
public:
  /// Parses `a=1&b=2`. A parameter named in `lists` may be repeated and
  /// then reads as its values joined by commas (`?status=a&status=b` is
  /// `status=a,b`). A malformed escape, or a repeat of any other name, is
  /// a bad_request naming the parameter.
  static result<query_params>
  parse(std::string_view raw,
        std::initializer_list<std::string_view> lists = {});

  /// The value of a parameter, if given.
  std::optional<std::string_view> get(std::string_view name) const;

private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// Parses a decimal integer in [min, max] (digits only); nullopt otherwise.
std::optional<long long> parse_integer(std::string_view text, long long min,
                                       long long max);

/// Parses true|false|1|0; nullopt otherwise.
std::optional<bool> parse_flag(std::string_view text);

} // namespace jobsync::http
