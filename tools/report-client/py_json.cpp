#include "tools/report-client/py_json.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace jobsync::tools {

namespace {

void write_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  auto escape = [&](unsigned code) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
      out += hex[(code >> shift) & 15];
  };
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
    case '"':
      out += "\\\"";
      continue;
    case '\\':
      out += "\\\\";
      continue;
    case '\n':
      out += "\\n";
      continue;
    case '\r':
      out += "\\r";
      continue;
    case '\t':
      out += "\\t";
      continue;
    default:
      break;
    }
    if (c < 0x20) {
      escape(c);
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // ensure_ascii: decode UTF-8 and escape (surrogate pairs above the
      // BMP); a stray byte is escaped as is.
      unsigned code = c;
      size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
      if (extra > 0 && i + extra < s.size()) {
        code = c & (0x3F >> extra);
        for (size_t k = 1; k <= extra; ++k)
          code = code << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        i += extra;
      }
      if (code > 0xFFFF) {
        code -= 0x10000;
        escape(0xD800 + (code >> 10));
        escape(0xDC00 + (code & 0x3FF));
      } else {
        escape(code);
      }
    }
  }
  out += '"';
}

void write_real(std::string& out, double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string text{buf, r.ptr};
  // Python writes 50.0, not 50.
  if (text.find_first_of(".en") == std::string::npos)
    text += ".0";
  out += text;
}

} // namespace

py_value::py_value() = default;
py_value::py_value(std::nullptr_t) {}
py_value::py_value(bool b) : kind_(kind::boolean), boolean_(b) {}
py_value::py_value(int i) : kind_(kind::integer), integer_(i) {}
py_value::py_value(int64_t i) : kind_(kind::integer), integer_(i) {}
py_value::py_value(double d) : kind_(kind::real), real_(d) {}
py_value::py_value(const char* s) : kind_(kind::text), text_(s) {}
py_value::py_value(std::string s) : kind_(kind::text), text_(std::move(s)) {}

py_value py_value::list(std::vector<py_value> items) {
  py_value v;
  v.kind_ = kind::list;
  v.items_ = std::move(items);
  return v;
}

py_value py_value::object(
    std::initializer_list<std::pair<std::string, py_value>> members) {
  py_value v;
  v.kind_ = kind::object;
  for (const auto& [key, value] : members)
    v.set(key, value);
  return v;
}

py_value& py_value::set(const std::string& key, py_value v) {
  kind_ = kind::object;
  for (size_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) {
      items_[i] = std::move(v);
      return *this;
    }
  keys_.push_back(key);
  items_.push_back(std::move(v));
  return *this;
}

std::string py_value::dump() const {
  std::string out;
  write(out);
  return out;
}

void py_value::write(std::string& out) const {
  switch (kind_) {
  case kind::null:
    out += "null";
    return;
  case kind::boolean:
    out += boolean_ ? "true" : "false";
    return;
  case kind::integer:
    out += std::to_string(integer_);
    return;
  case kind::real:
    write_real(out, real_);
    return;
  case kind::text:
    write_string(out, text_);
    return;
  case kind::list:
    out += '[';
    for (size_t i = 0; i < items_.size(); ++i) {
      if (i > 0)
        out += ", ";
      items_[i].write(out);
    }
    out += ']';
    return;
  case kind::object:
    out += '{';
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (i > 0)
        out += ", ";
      write_string(out, keys_[i]);
      out += ": ";
      items_[i].write(out);
    }
    out += '}';
    return;
  }
}

std::string iso_now() {
  auto now = std::chrono::system_clock::now();
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    now.time_since_epoch())
                    .count();
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00",
                utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                utc.tm_min, utc.tm_sec,
                static_cast<long long>(micros % 1000000));
  return buf;
}

} // namespace jobsync::tools
