#include "config/mask.hpp"

#include <cctype>

namespace jobsync::config {

namespace {

// Masks the password of a URI's user info.
void mask_user_info(std::string& x) {
  auto scheme = x.find("://");
  if (scheme == std::string::npos)
    return;
  auto start = scheme + 3;
  auto end = x.find_first_of("/?", start);
  auto authority
      = x.substr(start, end == std::string::npos ? end : end - start);
  auto at = authority.rfind('@');
  if (at == std::string::npos)
    return;
  auto colon = authority.find(':');
  if (colon == std::string::npos || colon > at)
    return;
  x.replace(start + colon + 1, at - colon - 1, "***");
}

bool starts_a_key(const std::string& x, size_t pos) {
  if (pos == 0)
    return true;
  char before = x[pos - 1];
  return before == '?' || before == '&'
         || std::isspace(static_cast<unsigned char>(before)) != 0;
}

// Masks every `password=<value>`: up to a space or '&', or a quoted value
// (with backslash escapes) as libpq's key=value form allows.
void mask_password_keys(std::string& x) {
  const std::string key = "password";
  for (auto pos = x.find(key); pos != std::string::npos;
       pos = x.find(key, pos + 1)) {
    if (!starts_a_key(x, pos))
      continue;
    auto i = pos + key.size();
    while (i < x.size() && x[i] == ' ')
      ++i;
    if (i >= x.size() || x[i] != '=')
      continue;
    ++i;
    while (i < x.size() && x[i] == ' ')
      ++i;
    auto value = i;
    if (i < x.size() && x[i] == '\'') {
      for (++i; i < x.size() && x[i] != '\''; ++i)
        if (x[i] == '\\')
          ++i;
      i = i < x.size() ? i + 1 : x.size();
    } else {
      while (i < x.size() && x[i] != '&'
             && std::isspace(static_cast<unsigned char>(x[i])) == 0)
        ++i;
    }
    x.replace(value, i - value, "***");
  }
}

} // namespace

std::string mask_password(const std::string& url) {
  std::string out = url;
  mask_user_info(out);
  mask_password_keys(out);
  return out;
}

} // namespace jobsync::config
