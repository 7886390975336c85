#include "model/json.hpp"

namespace jobsync {

void write_optional(json_writer& w, const std::optional<std::string>& x) {
  if (x)
    w.String(x->data(), static_cast<rapidjson::SizeType>(x->size()));
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

std::string to_json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  v.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

std::string quote_json(std::string_view s) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {buf.GetString(), buf.GetSize()};
}

} // namespace jobsync
