#pragma once

#include "model/utf8.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jobsync {

/// RapidJSON's writer, except that what it writes is always JSON: a number
/// that is not finite (a cost that overflowed) is written as null, and
/// bytes that are not UTF-8 (a value a client sent, echoed in an error) as
/// U+FFFD. RapidJSON writes neither correctly: it leaves the number out and
/// copies the bytes, and a stored job written so could not be read back.
template <class Buffer>
class basic_json_writer : public rapidjson::Writer<Buffer> {
  using base = rapidjson::Writer<Buffer>;

public:
  using base::base;

  bool Double(double d) {
    return std::isfinite(d) ? base::Double(d) : base::Null();
  }

  bool String(const char* s, rapidjson::SizeType n, bool copy = false) {
    if (valid_utf8({s, n}))
      return base::String(s, n, copy);
    auto fixed = with_invalid_utf8_replaced({s, n});
    return base::String(fixed.data(), size_of(fixed), true);
  }
  bool String(const char* const& s) {
    return String(s, size_of(std::string_view{s}));
  }
  bool String(const std::string& s) {
    return String(s.data(), size_of(s));
  }

  bool Key(const char* s, rapidjson::SizeType n, bool copy = false) {
    if (valid_utf8({s, n}))
      return base::Key(s, n, copy);
    auto fixed = with_invalid_utf8_replaced({s, n});
    return base::Key(fixed.data(), size_of(fixed), true);
  }
  bool Key(const char* const& s) {
    return Key(s, size_of(std::string_view{s}));
  }
  bool Key(const std::string& s) {
    return Key(s.data(), size_of(s));
  }

private:
  static rapidjson::SizeType size_of(std::string_view s) {
    return static_cast<rapidjson::SizeType>(s.size());
  }
};

/// The one JSON writer type of the project.
using json_writer = basic_json_writer<rapidjson::StringBuffer>;

/// Writes a string given as a view (RapidJSON's String takes a pointer and
/// a 32-bit length).
void write_string(json_writer& w, std::string_view s);

/// Writes an object key given as a view.
void write_key(json_writer& w, std::string_view key);

/// Writes a string, or null for an empty optional.
void write_optional(json_writer& w, const std::optional<std::string>& x);

/// Writes a number, or null for an empty optional.
void write_optional(json_writer& w, const std::optional<double>& x);

/// Reads a string member; nullopt when absent, null or not a string.
std::optional<std::string> string_member(const rapidjson::Value& obj,
                                         const char* name);

/// Reads a numeric member; nullopt when absent, null or not a number.
std::optional<double> number_member(const rapidjson::Value& obj,
                                    const char* name);

/// Parses JSON text into `doc`, reading every number exactly: integers as
/// RapidJSON types them, other numbers correctly rounded (RapidJSON 1.1.0's
/// full-precision reader misreads a zero with a negative exponent: `0e-112`
/// came back as 5.8e-129 or -1.3e269). Bytes that are not UTF-8 pass into
/// strings as they are (ids are checked where they are taken; the writer
/// replaces them). Returns nullopt on success, else the reason. Use it for
/// every JSON from outside and from the store.
std::optional<std::string> parse_json(rapidjson::Document& doc,
                                      std::string_view text);

/// A RapidJSON pool allocator that hands out the first `Bytes` from an
/// array inside this object (on the stack where it is a local), then the
/// heap. Not copyable: the pool points into it.
template <size_t Bytes>
class stack_pool {
public:
  stack_pool() = default;
  stack_pool(const stack_pool&) = delete;
  stack_pool& operator=(const stack_pool&) = delete;

  rapidjson::MemoryPoolAllocator<>& pool() {
    return pool_;
  }

private:
  // The pool keeps its chunk header at the start of the array.
  alignas(std::max_align_t) char scratch_[Bytes];
  rapidjson::MemoryPoolAllocator<> pool_{scratch_, sizeof scratch_};
};

/// A document whose values take their first `Bytes` from the stack: the
/// webhook bodies and stored records parsed on every delivery are a few
/// KiB, which a plain Document takes as a 64 KiB chunk and two allocator
/// objects from the heap each time.
template <size_t Bytes = 8192>
class scratch_document : stack_pool<Bytes> {
public:
  rapidjson::Document& get() {
    return doc_;
  }

private:
  rapidjson::CrtAllocator stack_allocator_;
  rapidjson::Document doc_{&this->pool(), 1024, &stack_allocator_};
};

/// Serializes any JSON value compactly.
std::string to_json_text(const rapidjson::Value& v);

/// A JSON string literal for `s` (quoted and escaped).
std::string quote_json(std::string_view s);

} // namespace jobsync
