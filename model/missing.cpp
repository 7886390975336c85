#include "model/missing.hpp"

#include "model/json.hpp"

#include <rapidjson/document.h>

namespace jobsync {

std::optional<unix_ms> not_found_since(const job& x) {
  auto i = x.metadata.find(std::string{not_found_since_key});
  if (i == x.metadata.end())
    return std::nullopt;
  rapidjson::Document doc;
  if (parse_json(doc, i->second) || !doc.IsString())
    return std::nullopt;
  return parse_rfc3339({doc.GetString(), doc.GetStringLength()});
}

bool note_not_found(job& x, unix_ms now) {
  if (not_found_since(x))
    return false;
  x.metadata[std::string{not_found_since_key}]
      = quote_json(format_rfc3339(now));
  return true;
}

bool clear_not_found(job& x) {
  return x.metadata.erase(std::string{not_found_since_key}) > 0;
}

bool is_lost(const job& x, unix_ms now, std::chrono::milliseconds lost_after) {
  if (lost_after.count() <= 0 || is_terminal(x.status))
    return false;
  auto since = not_found_since(x);
  return since && now - *since >= lost_after.count();
}

bool declared_lost(const job& x) {
  return x.status == job_status::failed && x.provider_status == "not_found"
         && not_found_since(x).has_value();
}

void declare_lost(job& x, unix_ms now, std::string_view provider_label) {
  auto since = not_found_since(x).value_or(now);
  x.status = job_status::failed;
  x.provider_status = "not_found";
  x.error_message = "Lost: " + std::string{provider_label}
                    + " has not known this job since " + format_rfc3339(since);
  if (!x.completed_at)
    x.completed_at = format_rfc3339(now);
}

} // namespace jobsync
