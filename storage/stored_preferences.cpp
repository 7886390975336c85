#include "storage/stored_preferences.hpp"

namespace jobsync::storage {

result<polling_preferences>
read_polling_preferences(const read_view& view,
                         const std::vector<std::string>& providers) {
  auto load = [&](const std::string& name) -> result<polling_preference> {
    auto key = polling_preference_key(name);
    auto text = view.setting(key);
    if (!text)
      return text.error();
    if (!*text)
      return polling_preference{};
    auto p = decode_polling_preference(**text);
    if (!p)
      return failure{errc::internal,
                     "storage holds an unreadable setting '" + key + "'"};
    return *p;
  };
  polling_preferences out;
  auto all = load({});
  if (!all)
    return all.error();
  out.all = *all;
  for (const auto& name : providers) {
    auto own = load(name);
    if (!own)
      return own.error();
    if (*own != polling_preference{})
      out.providers[name] = *own;
  }
  return out;
}

} // namespace jobsync::storage
