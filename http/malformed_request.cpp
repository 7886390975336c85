#include "http/malformed_request.hpp"

#include "http/error_table.hpp"

namespace jobsync::http {

namespace {

// Parses the decimal number at the front of `text` and drops it.
std::optional<uint64_t> take_number(std::string_view& text) {
  uint64_t n = 0;
  size_t i = 0;
  for (; i < text.size() && i < 19 && text[i] >= '0' && text[i] <= '9'; ++i)
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
  if (i == 0)
    return std::nullopt;
  text.remove_prefix(i);
  return n;
}

bool take(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix)
    return false;
  text.remove_prefix(prefix.size());
  return true;
}

std::string detail_of(std::string_view name, std::string_view description) {
  if (name == "HPE_HEADER_OVERFLOW")
    return "The request's header section is larger than this server accepts";
  return "The request is not valid HTTP: " + std::string{description} + " ("
         + std::string{name} + ")";
}

} // namespace

std::optional<malformed_request> malformed_request_of(std::string_view line) {
  if (!take(line, "[connection:"))
    return std::nullopt;
  auto id = take_number(line);
  if (!id || !take(line, "] parser error "))
    return std::nullopt;
  auto colon = line.find(": ");
  if (colon == std::string_view::npos)
    return std::nullopt;
  return malformed_request{
      *id, detail_of(line.substr(0, colon), line.substr(colon + 2))};
}

std::string bad_request_bytes(const std::string& detail) {
  auto r = error_response(errc::bad_request, detail);
  std::string out = "HTTP/1.1 400 Bad Request\r\nContent-Type: ";
  out += r.content_type;
  out += "\r\nContent-Length: " + std::to_string(r.body.size());
  out += "\r\nConnection: close\r\n\r\n";
  out += r.body;
  return out;
}

} // namespace jobsync::http
