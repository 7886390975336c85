#include "http/query.hpp"

#include <algorithm>

namespace jobsync::http {

result<query_params>
query_params::parse(std::string_view raw,
                    std::initializer_list<std::string_view> lists) {
  query_params q;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    auto item = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{}
                                        : raw.substr(amp + 1);
    if (item.empty())
      continue;
    auto eq = item.find('=');
    auto name = percent_decode(item.substr(0, eq), true);
    auto value = percent_decode(
        eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1),
        true);
    if (!name || !value)
      return failure{errc::bad_request,
                     "Malformed percent-escape in query parameter '"
                         + std::string{item.substr(0, eq)} + "'"};
    auto seen = std::find_if(q.items_.begin(), q.items_.end(),
                             [&](const auto& kv) { return kv.first == *name; });
    if (seen == q.items_.end()) {
      q.items_.emplace_back(std::move(*name), std::move(*value));
      continue;
    }
    if (std::find(lists.begin(), lists.end(), *name) == lists.end())
      return failure{errc::bad_request, "Query parameter '" + *name
                                            + "' is given more than once; "
                                              "give it once"};
    seen->second += ',';
    seen->second += *value;
  }
  return q;
}

std::optional<std::string_view> query_params::get(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name)
      return std::string_view{v};
  return std::nullopt;
}

std::optional<long long> parse_integer(std::string_view text, long long min,
                                       long long max) {
  if (text.empty() || text.size() > 18)
    return std::nullopt;
  long long value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value < min || value > max)
    return std::nullopt;
  return value;
}

std::optional<bool> parse_flag(std::string_view text) {
  if (text == "true" || text == "1")
    return true;
  if (text == "false" || text == "0")
    return false;
  return std::nullopt;
}

} // namespace jobsync::http
