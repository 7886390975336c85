#include "tools/replicate-sim/cursor.hpp"

#include "model/standard_webhooks.hpp"
#include "tools/replicate-sim/query.hpp"

namespace jobsync::sim {

std::string encode_cursor(const list_cursor& cursor) {
  std::string text = "p=" + url_encode(format_time(cursor.position.created, 9))
                     + "&i=" + url_encode(cursor.position.id);
  if (cursor.reverse)
    text += "&r=1";
  return base64_encode(text);
}

std::optional<list_cursor> decode_cursor(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw)
    return std::nullopt;
  auto params = parse_query(*raw);
  if (!params)
    return std::nullopt;
  auto* p = find_param(*params, "p");
  auto* i = find_param(*params, "i");
  auto* r = find_param(*params, "r");
  if (p == nullptr || i == nullptr || i->empty())
    return std::nullopt;
  auto created = parse_time(*p);
  if (!created)
    return std::nullopt;
  list_cursor out;
  out.position = {*created, *i};
  out.reverse = r != nullptr && *r == "1";
  return out;
}

} // namespace jobsync::sim
