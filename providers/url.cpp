#include "providers/url.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace jobsync::providers {

namespace {

struct url_deleter {
  void operator()(CURLU* h) const {
    curl_url_cleanup(h);
  }
};

using url_handle = std::unique_ptr<CURLU, url_deleter>;

std::optional<std::string> part(CURLU* h, CURLUPart which, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(h, which, &out, flags) != CURLUE_OK || !out)
    return std::nullopt;
  std::string result{out};
  curl_free(out);
  return result;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Scheme, host and effective port of a parsed URL.
struct origin {
  std::string scheme;
  std::string host;
  std::string port;
};

std::optional<origin> origin_of(CURLU* h) {
  auto scheme = part(h, CURLUPART_SCHEME);
  auto host = part(h, CURLUPART_HOST);
  auto port = part(h, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || !port)
    return std::nullopt;
  return origin{lower(*scheme), lower(*host), *port};
}

// `scheme://` at the start (RFC 3986: a letter, then letters, digits, `+`,
// `-` or `.`).
bool has_scheme(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0
      || !std::isalpha(static_cast<unsigned char>(text[0])))
    return false;
  for (unsigned char c : text.substr(0, colon))
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.')
      return false;
  return text.substr(colon + 1, 2) == "//";
}

} // namespace

bool is_http_url(std::string_view text) {
  for (std::string_view scheme : {"https://", "http://"})
    if (text.size() > scheme.size() && text.substr(0, scheme.size()) == scheme)
      return true;
  return false;
}

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

std::string join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/')
    base.remove_suffix(1);
  while (!path.empty() && path.front() == '/')
    path.remove_prefix(1);
  std::string out{base};
  out.push_back('/');
  out.append(path);
  return out;
}

std::optional<std::string> resolve_next_url(std::string_view base,
                                            std::string_view next) {
  url_handle b{curl_url()};
  url_handle n{curl_url()};
  if (!b || !n)
    return std::nullopt;
  std::string base_text{base};
  std::string next_text{next};
  if (curl_url_set(b.get(), CURLUPART_URL, base_text.c_str(), 0) != CURLUE_OK
      || curl_url_set(n.get(), CURLUPART_URL, base_text.c_str(), 0) != CURLUE_OK
      // Setting a URL on a handle that holds one resolves relative links.
      || curl_url_set(n.get(), CURLUPART_URL, next_text.c_str(), 0)
             != CURLUE_OK)
    return std::nullopt;
  auto from = origin_of(b.get());
  auto to = origin_of(n.get());
  if (!from || !to || from->host != to->host)
    return std::nullopt;
  bool absolute = has_scheme(next_text);
  if (from->scheme == to->scheme && from->port == to->port)
    return absolute ? next_text : part(n.get(), CURLUPART_URL);
  bool explicit_port = part(n.get(), CURLUPART_PORT).has_value();
  if (from->scheme == "https" && to->scheme == "http" && !explicit_port
      && from->port == "443") {
    if (curl_url_set(n.get(), CURLUPART_SCHEME, "https", 0) != CURLUE_OK)
      return std::nullopt;
    return part(n.get(), CURLUPART_URL);
  }
  return std::nullopt;
}

} // namespace jobsync::providers
