#include "http/polling_setting_body.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace jobsync::http {

namespace {

failure refused(std::string detail) {
  return failure{errc::bad_request, std::move(detail)};
}

} // namespace

result<polling_setting> parse_polling_setting(std::string_view body,
                                              const interval_limits& limits) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  if (d.HasParseError())
    return refused(std::string{"the body is not JSON: "}
                   + rapidjson::GetParseError_En(d.GetParseError())
                   + " at offset " + std::to_string(d.GetErrorOffset()));
  if (!d.IsObject())
    return refused("the body must be a JSON object such as "
                   "{\"enabled\": true}");
  polling_setting s;
  bool has_enabled = false;
  for (const auto& m : d.GetObject()) {
    std::string_view name{m.name.GetString(), m.name.GetStringLength()};
    const auto& v = m.value;
    if (name == "enabled") {
      has_enabled = true;
      if (v.IsBool())
        s.enabled = v.GetBool();
      else if (!v.IsNull())
        return refused("enabled must be true, false or null (null: back to "
                       "the configured rule)");
    } else if (name == "provider") {
      if (v.IsNull())
        continue;
      if (!v.IsString() || v.GetStringLength() == 0)
        return refused("provider must be a provider's name, or null for "
                       "every provider");
      s.provider.assign(v.GetString(), v.GetStringLength());
    } else if (name == "interval_seconds") {
      if (v.IsNull())
        continue;
      if (!v.IsInt() || v.GetInt() < limits.min || v.GetInt() > limits.max)
        return refused("interval_seconds must be a whole number from "
                       + std::to_string(limits.min) + " to "
                       + std::to_string(limits.max));
      s.interval_seconds = v.GetInt();
    } else {
      return refused("unknown field " + std::string{name}
                     + ": expected enabled, provider or interval_seconds");
    }
  }
  if (!has_enabled)
    return refused("enabled is required: true, false or null (null: back to "
                   "the configured rule)");
  return s;
}

} // namespace jobsync::http
