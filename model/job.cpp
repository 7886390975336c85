#include "model/job.hpp"

#include "model/utf8.hpp"

#include <algorithm>
#include <tuple>

namespace jobsync {

namespace {

auto as_tuple(const job& x) {
  return std::tie(x.job_id, x.type, x.provider, x.status, x.provider_status,
                  x.config_name, x.created_at, x.started_at, x.completed_at,
                  x.cost_usd, x.hardware_type, x.error_message, x.output_url,
                  x.metadata, x.external_id, x.synced_at);
}

} // namespace

bool storable_job_id(std::string_view id) {
  auto control = [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  };
  return id.size() <= max_job_id_bytes
         && std::none_of(id.begin(), id.end(), control) && valid_utf8(id);
}

bool operator==(const job& a, const job& b) {
  return as_tuple(a) == as_tuple(b);
}

unix_ms created_ms(const job& x) {
  return parse_rfc3339(x.created_at).value_or(0);
}

duration_basis duration_basis_of(const job& x) {
  if (!x.started_at)
    return {};
  auto start = parse_rfc3339(*x.started_at);
  if (!start)
    return {};
  if (!x.completed_at)
    return is_terminal(x.status)
               ? duration_basis{}
               : duration_basis{duration_basis::kind::running, *start};
  auto end = parse_rfc3339(*x.completed_at);
  if (!end)
    return {};
  return {duration_basis::kind::fixed, std::max<int64_t>(0, *end - *start)};
}

std::optional<int64_t> duration_ms(const duration_basis& b, unix_ms now) {
  switch (b.how) {
  case duration_basis::kind::fixed:
    return std::max<int64_t>(0, b.ms);
  case duration_basis::kind::running:
    return std::max<int64_t>(0, now - b.ms);
  case duration_basis::kind::unknown:
    break;
  }
  return std::nullopt;
}

} // namespace jobsync
