#pragma once

// JSON text as Python's json.dumps writes it (what SimpleTuner's trainer
// sends): ", " and ": " separators, non-ASCII as \uXXXX escapes, floats
// with a decimal point. Built value by value; no parsing.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobsync::tools {

/// One JSON value.
class py_value {
public:
  /// null.
  py_value();
  py_value(std::nullptr_t);
  py_value(bool b);
  py_value(int i);
  py_value(int64_t i);
  py_value(double d);
  py_value(const char* s);
  py_value(std::string s);

  /// A list.
  static py_value list(std::vector<py_value> items);
  /// An object; members keep their order.
  static py_value
  object(std::initializer_list<std::pair<std::string, py_value>> members);

  /// Adds (or, for an existing key, replaces) a member of an object.
  py_value& set(const std::string& key, py_value v);

  /// The JSON text.
  std::string dump() const;

private:
  enum class kind { null, boolean, integer, real, text, list, object };
  void write(std::string& out) const;

  kind kind_ = kind::null;
  bool boolean_ = false;
  int64_t integer_ = 0;
  double real_ = 0;
  std::string text_;
  std::vector<py_value> items_;
  std::vector<std::string> keys_;
};

/// The current UTC time as Python's datetime.isoformat() writes it:
/// `2026-08-22T17:32:24.123456+00:00`.
std::string iso_now();

} // namespace jobsync::tools
