#include "model/json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace jobsync {

namespace {

// Hands every SAX event to the document, except numbers: they arrive as
// text (kParseNumbersAsStringsFlag) and are converted here.
template <class Handler>
class exact_numbers {
public:
  explicit exact_numbers(Handler& out) : out_(out) {}

  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    std::string_view text{s, n};
    bool integral = text.find_first_of(".eE") == std::string_view::npos;
    if (integral && text.front() == '-') {
      int64_t i = 0;
      auto r = std::from_chars(text.data(), text.data() + n, i);
      if (r.ec == std::errc{} && r.ptr == text.data() + n)
        return out_.Int64(i);
    } else if (integral) {
      uint64_t u = 0;
      auto r = std::from_chars(text.data(), text.data() + n, u);
      if (r.ec == std::errc{} && r.ptr == text.data() + n)
        return out_.Uint64(u);
    }
    double d = 0;
    auto r = std::from_chars(text.data(), text.data() + n, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Underflow reads as (signed) zero, overflow is refused.
      d = std::strtod(std::string{text}.c_str(), nullptr);
      if (std::isinf(d)) {
        out_of_range = true;
        return false;
      }
    } else if (r.ec != std::errc{}) {
      return false;
    }
    return out_.Double(d);
  }

  bool Null() {
    return out_.Null();
  }
  bool Bool(bool b) {
    return out_.Bool(b);
  }
  // Not called with kParseNumbersAsStringsFlag; present for the concept.
  bool Int(int i) {
    return out_.Int(i);
  }
  bool Uint(unsigned u) {
    return out_.Uint(u);
  }
  bool Int64(int64_t i) {
    return out_.Int64(i);
  }
  bool Uint64(uint64_t u) {
    return out_.Uint64(u);
  }
  bool Double(double d) {
    return out_.Double(d);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    return out_.String(s, n, copy);
  }
  bool StartObject() {
    return out_.StartObject();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    return out_.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType members) {
    return out_.EndObject(members);
  }
  bool StartArray() {
    return out_.StartArray();
  }
  bool EndArray(rapidjson::SizeType elements) {
    return out_.EndArray(elements);
  }

  bool out_of_range = false;

private:
  Handler& out_;
};

} // namespace

std::optional<std::string> parse_json(rapidjson::Document& doc,
                                      std::string_view text) {
  // Parsed in place, in a copy that the document's own pool holds for as
  // long as the document: its strings point into the copy instead of each
  // being copied out of the text (about half of a webhook body's parse).
  // (rapidjson counts in 32 bits; request bodies are limited far below.)
  if (text.size() >= std::numeric_limits<rapidjson::SizeType>::max()) {
    doc.SetNull();
    return std::string{"The text is too long to be parsed as JSON"};
  }
  auto* copy = static_cast<char*>(doc.GetAllocator().Malloc(text.size() + 1));
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  rapidjson::InsituStringStream in{copy};
  // As Document::Parse reads text: UTF-8, a byte order mark skipped.
  if (text.substr(0, 3) == "\xEF\xBB\xBF")
    for (int i = 0; i < 3; ++i)
      in.Take();
  rapidjson::Reader reader;
  std::optional<std::string> error;
  auto generate = [&](rapidjson::Document& handler) {
    exact_numbers<rapidjson::Document> numbers{handler};
    auto r = reader.Parse<rapidjson::kParseNumbersAsStringsFlag
                          | rapidjson::kParseInsituFlag>(in, numbers);
    if (!r.IsError())
      return true;
    error = (numbers.out_of_range
                 ? std::string{"Number too big to be stored "
                               "in double."}
                 : std::string{rapidjson::GetParseError_En(r.Code())})
            + " (at byte " + std::to_string(r.Offset()) + ")";
    return false;
  };
  doc.SetNull();
  doc.Populate(generate);
  return error;
}

void write_string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_key(json_writer& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}

void write_optional(json_writer& w, const std::optional<std::string>& x) {
  if (x)
    write_string(w, *x);
  else
    w.Null();
}

void write_optional(json_writer& w, const std::optional<double>& x) {
  if (x)
    w.Double(*x);
  else
    w.Null();
}

std::optional<std::string> string_member(const rapidjson::Value& obj,
                                         const char* name) {
  if (!obj.IsObject())
    return std::nullopt;
  auto i = obj.FindMember(name);
  if (i == obj.MemberEnd() || !i->value.IsString())
    return std::nullopt;
  return std::string{i->value.GetString(), i->value.GetStringLength()};
}

std::optional<double> number_member(const rapidjson::Value& obj,
                                    const char* name) {
  if (!obj.IsObject())
    return std::nullopt;
  auto i = obj.FindMember(name);
  if (i == obj.MemberEnd() || !i->value.IsNumber())
    return std::nullopt;
  return i->value.GetDouble();
}

namespace {

// Metadata members and ids are rendered on every delivery, each a short
// text copied into its own string at once: the writer's buffer lives on
// the stack (the heap only past 1 KiB), one allocation less per text.
class scratch_text : stack_pool<1024> {
public:
  using buffer
      = rapidjson::GenericStringBuffer<rapidjson::UTF8<>,
                                       rapidjson::MemoryPoolAllocator<>>;

  buffer& out() {
    return buffer_;
  }

  std::string text() const {
    return {buffer_.GetString(), buffer_.GetSize()};
  }

private:
  buffer buffer_{&pool()};
};

} // namespace

std::string to_json_text(const rapidjson::Value& v) {
  scratch_text buf;
  basic_json_writer<scratch_text::buffer> w{buf.out()};
  v.Accept(w);
  return buf.text();
}

std::string quote_json(std::string_view s) {
  scratch_text buf;
  basic_json_writer<scratch_text::buffer> w{buf.out()};
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.text();
}

} // namespace jobsync
