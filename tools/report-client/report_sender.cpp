#include "tools/report-client/report_sender.hpp"

#include <curl/curl.h>

#include <memory>

namespace jobsync::tools {

namespace {

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

} // namespace

report_result send_report(const report_target& target,
                          const std::string& body) {
  report_result out;
  std::unique_ptr<CURL, void (*)(CURL*)> curl{curl_easy_init(),
                                              curl_easy_cleanup};
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_slist* raw_headers = nullptr;
  raw_headers
      = curl_slist_append(raw_headers, "Content-Type: application/json");
  raw_headers = curl_slist_append(raw_headers, "Accept: */*");
  // requests never sends Expect: 100-continue (libcurl would, for large
  // bodies, and wait a second for the go-ahead).
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::string key_header = "X-API-Key: " + target.api_key;
  if (!target.api_key.empty())
    raw_headers = curl_slist_append(raw_headers, key_header.c_str());
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers{
      raw_headers, curl_slist_free_all};
  auto* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, target.url.c_str());
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "jobsync-trainer-report/1");
  // A new connection per report, closed after it, as the trainer's
  // requests.Session per call does.
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(target.timeout.count()));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(target.timeout.count()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  auto start = std::chrono::steady_clock::now();
  auto rc = curl_easy_perform(h);
  out.milliseconds = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  if (rc != CURLE_OK) {
    out.error = curl_easy_strerror(rc);
    return out;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

} // namespace jobsync::tools
