#include "web/assets.hpp"

#include "web/embedded_table.hpp"

#include <cstdio>

namespace jobsync::web {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size()
         && s.substr(s.size() - suffix.size()) == suffix;
}

std::vector<asset> assets_of(const embedded_file* files, size_t count) {
  std::vector<asset> out;
  for (size_t i = 0; i < count; ++i) {
    const auto& f = files[i];
    std::string_view body{reinterpret_cast<const char*>(f.data), f.size};
    out.push_back(asset{f.name, content_type_of(f.name), etag_of(body), body});
  }
  return out;
}

} // namespace

const std::vector<asset>& embedded_assets() {
  // Hashed once, on first use; the bodies are static data.
  static const std::vector<asset> all
      = assets_of(embedded_files, embedded_files_count);
  return all;
}

const asset& api_contract() {
  static const asset document = [] {
    auto all = assets_of(contract_files, contract_files_count);
    return all.at(0);
  }();
  return document;
}

const asset* find_embedded(std::string_view name) {
  for (const auto& a : embedded_assets())
    if (a.name == name)
      return &a;
  return nullptr;
}

std::string_view content_type_of(std::string_view name) {
  struct entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr entry table[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  };
  for (const auto& e : table)
    if (ends_with(name, e.extension))
      return e.type;
  return "application/octet-stream";
}

std::string etag_of(std::string_view body) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "\"%016llx-%zx\"",
                static_cast<unsigned long long>(h), body.size());
  return buf;
}

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || name.front() == '.')
    return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

} // namespace jobsync::web
