#include "tests/support/http.hpp"

#include <algorithm>
#include <cctype>
#include <curl/curl.h>
#include <mutex>

namespace jobsync::test {

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string line{data, size * n};
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    auto name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    auto value = line.substr(colon + 1);
    auto b = value.find_first_not_of(" \t");
    auto e = value.find_last_not_of(" \t\r\n");
    value = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

// Runs a prepared transfer, collecting status, headers and body.
http_response perform(CURL* h, std::chrono::milliseconds timeout) {
  http_response result;
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &result.headers);
  auto rc = curl_easy_perform(h);
  if (rc == CURLE_OK)
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  else
    result.error = curl_easy_strerror(rc);
  return result;
}

} // namespace

http_response http_request(const std::string& method, const std::string& url,
                           const std::string& body,
                           const std::map<std::string, std::string>& headers,
                           std::chrono::milliseconds timeout) {
  global_init();
  CURL* h = curl_easy_init();
  curl_slist* list = nullptr;
  for (auto& [k, v] : headers)
    list = curl_slist_append(list, (k + ": " + v).c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD")
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  auto result = perform(h, timeout);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return result;
}

http_session::http_session() : handle_(nullptr) {
  global_init();
  handle_ = curl_easy_init();
}

http_session::~http_session() {
  curl_easy_cleanup(static_cast<CURL*>(handle_));
}

http_response http_session::get(const std::string& url) {
  auto* h = static_cast<CURL*>(handle_);
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  return perform(h, std::chrono::seconds(30));
}

std::string url_encode(const std::string& s) {
  global_init();
  char* out = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
  std::string result{out};
  curl_free(out);
  return result;
}

} // namespace jobsync::test
