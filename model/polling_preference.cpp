#include "model/polling_preference.hpp"

#include "model/json.hpp"

#include <rapidjson/document.h>

namespace jobsync {

namespace {

constexpr std::string_view key_prefix = "polling/";

} // namespace

polling_preference polling_preferences::of(const std::string& provider) const {
  auto out = all;
  auto i = providers.find(provider);
  if (i == providers.end())
    return out;
  if (i->second.enabled)
    out.enabled = i->second.enabled;
  if (i->second.interval_seconds)
    out.interval_seconds = i->second.interval_seconds;
  return out;
}

polling_preferences polling_preferences::with(const polling_setting& s) const {
  auto out = *this;
  if (!s.provider.empty()) {
    auto& own = out.providers[s.provider];
    own.enabled = s.enabled;
    if (s.interval_seconds)
      own.interval_seconds = s.interval_seconds;
    return out;
  }
  out.all.enabled = s.enabled;
  if (s.interval_seconds)
    out.all.interval_seconds = s.interval_seconds;
  for (auto& [name, own] : out.providers) {
    own.enabled.reset();
    if (s.interval_seconds)
      own.interval_seconds.reset();
  }
  return out;
}

std::vector<std::string>
polling_preferences::changed_keys(const polling_preferences& before) const {
  std::vector<std::string> keys;
  if (all != before.all)
    keys.push_back(polling_preference_key({}));
  for (const auto& [name, own] : providers) {
    auto was = before.providers.find(name);
    if (was == before.providers.end() || was->second != own)
      keys.push_back(polling_preference_key(name));
  }
  return keys;
}

polling_preference polling_preferences::at_key(std::string_view key) const {
  auto name = std::string{key.substr(key_prefix.size())};
  if (name.empty())
    return all;
  auto i = providers.find(name);
  return i == providers.end() ? polling_preference{} : i->second;
}

std::string polling_preference_key(const std::string& provider) {
  return std::string{key_prefix} + provider;
}

std::string encode_polling_preference(const polling_preference& p) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("enabled");
  if (p.enabled)
    w.Bool(*p.enabled);
  else
    w.Null();
  w.Key("interval_seconds");
  if (p.interval_seconds)
    w.Int(*p.interval_seconds);
  else
    w.Null();
  w.EndObject();
  return buf.GetString();
}

std::optional<polling_preference>
decode_polling_preference(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject())
    return std::nullopt;
  polling_preference p;
  auto enabled = d.FindMember("enabled");
  if (enabled != d.MemberEnd() && !enabled->value.IsNull()) {
    if (!enabled->value.IsBool())
      return std::nullopt;
    p.enabled = enabled->value.GetBool();
  }
  auto interval = d.FindMember("interval_seconds");
  if (interval != d.MemberEnd() && !interval->value.IsNull()) {
    if (!interval->value.IsInt() || interval->value.GetInt() <= 0)
      return std::nullopt;
    p.interval_seconds = interval->value.GetInt();
  }
  return p;
}

} // namespace jobsync
