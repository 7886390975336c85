#include "storage/codec.hpp"

#include "model/job_json.hpp"

#include <algorithm>
#include <cstring>

namespace jobsync::storage {

namespace {

template <class Write>
std::string versioned_json(Write write) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write(w);
  std::string out;
  out.reserve(buf.GetSize() + 1);
  out.push_back(static_cast<char>(codec_version));
  out.append(buf.GetString(), buf.GetSize());
  return out;
}

bool parse_versioned(std::string_view bytes, rapidjson::Document& doc) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != codec_version)
    return false;
  // Exact numbers: a stored number must read back bit for bit (or every
  // re-sync looks like a change).
  return !parse_json(doc, bytes.substr(1));
}

// Big-endian unsigned integers: byte order is numeric order.
template <class Uint>
void put_be(std::string& out, Uint x) {
  for (int shift = 8 * sizeof(Uint) - 8; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((x >> shift) & 0xFF));
}

template <class Uint>
Uint get_be(std::string_view in) {
  Uint x = 0;
  for (size_t i = 0; i < sizeof(Uint); ++i)
    x = static_cast<Uint>((x << 8) | static_cast<uint8_t>(in[i]));
  return x;
}

// A version 3 job value: version, status, duration kind (1 byte each),
// duration milliseconds (8), flags (1), synced_at milliseconds (8), length
// of the API members (4), then the JSON object, whose members start right
// after its opening brace and are followed by `"external_id"`. Version 2
// had no flags and no synced_at.
constexpr size_t v2_header = 1 + 1 + 1 + 8 + 4;
constexpr size_t v3_header = 1 + 1 + 1 + 8 + 1 + 8 + 4;
constexpr size_t flags_at = 11;
constexpr size_t synced_at_offset = 12;
constexpr uint8_t has_synced_at = 1;
constexpr uint8_t reached_provider = 2;

// The header of a version 2 or 3 value, with the JSON it precedes.
struct job_header {
  job_status status;
  duration_basis duration;
  bool reached_provider;
  std::optional<unix_ms> synced_at;
  uint32_t members;
  std::string_view json;
};

// A version 2 value's job reached its provider when the external id that
// stored_job_json writes right after the members is not empty.
bool external_id_written(std::string_view json, uint32_t members) {
  constexpr std::string_view none = ",\"external_id\":\"\"";
  return json.substr(1 + members, none.size()) != none;
}

std::optional<job_header> read_header(std::string_view bytes) {
  if (bytes.empty())
    return std::nullopt;
  auto version = static_cast<uint8_t>(bytes[0]);
  size_t size = version == 3 ? v3_header : version == 2 ? v2_header : 0;
  if (size == 0 || bytes.size() <= size)
    return std::nullopt;
  auto status = static_cast<uint8_t>(bytes[1]);
  auto how = static_cast<uint8_t>(bytes[2]);
  auto members = get_be<uint32_t>(bytes.substr(size - 4));
  auto json = bytes.substr(size);
  if (status > static_cast<uint8_t>(job_status::cancelled)
      || how > static_cast<uint8_t>(duration_basis::kind::running)
      || json.front() != '{' || uint64_t{members} + 2 > json.size())
    return std::nullopt;
  job_header h;
  h.status = static_cast<job_status>(status);
  h.duration.how = static_cast<duration_basis::kind>(how);
  h.duration.ms = static_cast<int64_t>(get_be<uint64_t>(bytes.substr(3)));
  h.members = members;
  h.json = json;
  if (version == 2) {
    h.reached_provider = external_id_written(json, members);
    return h;
  }
  auto flags = static_cast<uint8_t>(bytes[flags_at]);
  h.reached_provider = (flags & reached_provider) != 0;
  if (flags & has_synced_at)
    h.synced_at = static_cast<unix_ms>(
        get_be<uint64_t>(bytes.substr(synced_at_offset)));
  return h;
}

// The JSON of a job value of a known version.
std::optional<std::string_view> job_json_of(std::string_view bytes) {
  if (bytes.empty())
    return std::nullopt;
  if (static_cast<uint8_t>(bytes[0]) == 1)
    return bytes.substr(1);
  auto h = read_header(bytes);
  if (!h)
    return std::nullopt;
  return h->json;
}

constexpr uint8_t has_cost = 1;
constexpr uint8_t has_run = 2;
constexpr uint8_t has_provider = 4;
constexpr size_t index_header = 3 + 8 + 8;

} // namespace

std::string encode_job(const job& x) {
  auto r = render_job(x);
  auto json = stored_job_json(r, x);
  uint8_t flags = (x.synced_at ? has_synced_at : 0)
                  | (r.reached_provider ? reached_provider : 0);
  std::string out;
  out.reserve(v3_header + json.size());
  out.push_back(static_cast<char>(job_codec_version));
  out.push_back(static_cast<char>(r.status));
  out.push_back(static_cast<char>(r.duration.how));
  put_be(out, static_cast<uint64_t>(r.duration.ms));
  out.push_back(static_cast<char>(flags));
  put_be(out, static_cast<uint64_t>(x.synced_at.value_or(0)));
  put_be(out, static_cast<uint32_t>(r.members.size()));
  out += json;
  return out;
}

std::optional<job> decode_job(std::string_view bytes) {
  auto json = job_json_of(bytes);
  scratch_document<> scratch;
  auto& doc = scratch.get();
  if (!json || parse_json(doc, *json))
    return std::nullopt;
  auto x = read_stored_job(doc);
  if (x && static_cast<uint8_t>(bytes[0]) == job_codec_version)
    x->synced_at = read_header(bytes)->synced_at;
  return x;
}

std::optional<rendered_job> decode_rendered_job(std::string_view job_id,
                                                std::string_view bytes) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == 1) {
    auto x = decode_job(bytes);
    if (!x)
      return std::nullopt;
    auto r = render_job(*x);
    r.job_id = std::string{job_id};
    return r;
  }
  auto h = read_header(bytes);
  if (!h)
    return std::nullopt;
  rendered_job r;
  r.job_id = std::string{job_id};
  r.members = std::string{h->json.substr(1, h->members)};
  r.status = h->status;
  r.duration = h->duration;
  r.reached_provider = h->reached_provider;
  r.synced_at = h->synced_at;
  return r;
}

std::optional<job_freshness> decode_job_freshness(std::string_view bytes) {
  if (!bytes.empty() && static_cast<uint8_t>(bytes[0]) == 1) {
    auto x = decode_job(bytes);
    if (!x)
      return std::nullopt;
    return job_freshness{x->status, !x->external_id.empty(), x->synced_at};
  }
  auto h = read_header(bytes);
  if (!h)
    return std::nullopt;
  return job_freshness{h->status, h->reached_provider, h->synced_at};
}

std::optional<std::string> confirm_job(std::string_view bytes, unix_ms at) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != job_codec_version
      || !read_header(bytes))
    return std::nullopt;
  std::string out{bytes};
  out[flags_at]
      = static_cast<char>(static_cast<uint8_t>(out[flags_at]) | has_synced_at);
  std::string stamp;
  put_be(stamp, static_cast<uint64_t>(at));
  out.replace(synced_at_offset, stamp.size(), stamp);
  return out;
}

std::string encode_logs(const job_logs& x) {
  return versioned_json([&](json_writer& w) { write_stored_logs(w, x); });
}

std::optional<job_logs> decode_logs(std::string_view bytes) {
  scratch_document<> scratch;
  if (!parse_versioned(bytes, scratch.get()))
    return std::nullopt;
  return read_stored_logs(scratch.get());
}

std::string encode_image(const validation_image& x) {
  std::string out;
  auto tag_size = std::min<size_t>(x.image.etag.size(), 255);
  out.reserve(1 + 8 + 1 + tag_size + x.image.bytes.size());
  out.push_back(static_cast<char>(codec_version));
  put_be(out, static_cast<uint64_t>(x.received));
  out.push_back(static_cast<char>(tag_size));
  out.append(x.image.etag, 0, tag_size);
  out += x.image.bytes;
  return out;
}

std::optional<validation_image> decode_image(std::string_view bytes) {
  constexpr size_t header = 1 + 8 + 1;
  if (bytes.size() < header || static_cast<uint8_t>(bytes[0]) != codec_version)
    return std::nullopt;
  auto tag_size = static_cast<uint8_t>(bytes[9]);
  if (bytes.size() < header + tag_size)
    return std::nullopt;
  validation_image x;
  x.received = static_cast<unix_ms>(get_be<uint64_t>(bytes.substr(1)));
  x.image.etag.assign(bytes.substr(header, tag_size));
  x.image.bytes.assign(bytes.substr(header + tag_size));
  return x;
}

std::string encode_index_entry(const job& x) {
  auto run_ms = facts_of(x).run_ms;
  uint8_t flags = (x.cost_usd ? has_cost : 0) | (run_ms ? has_run : 0)
                  | (x.provider ? has_provider : 0);
  std::string out;
  out.push_back(static_cast<char>(x.status));
  out.push_back(static_cast<char>(x.type));
  out.push_back(static_cast<char>(flags));
  double cost = x.cost_usd.value_or(0.0);
  uint64_t cost_bits;
  std::memcpy(&cost_bits, &cost, sizeof(cost));
  put_be(out, cost_bits);
  put_be(out, static_cast<uint64_t>(run_ms.value_or(0)));
  if (x.provider)
    out += *x.provider;
  return out;
}

std::optional<index_entry> decode_index_entry(std::string_view key,
                                              std::string_view value) {
  if (key.size() < 8 || value.size() < index_header)
    return std::nullopt;
  auto status = static_cast<uint8_t>(value[0]);
  auto type = static_cast<uint8_t>(value[1]);
  auto flags = static_cast<uint8_t>(value[2]);
  if (status > static_cast<uint8_t>(job_status::cancelled)
      || type > static_cast<uint8_t>(job_type::local))
    return std::nullopt;
  index_entry e;
  e.status = static_cast<job_status>(status);
  e.type = static_cast<job_type>(type);
  e.facts.status = e.status;
  e.facts.type = e.type;
  e.facts.created
      = static_cast<unix_ms>(get_be<uint64_t>(key) ^ (uint64_t{1} << 63));
  if (flags & has_cost) {
    uint64_t bits = get_be<uint64_t>(value.substr(3));
    double cost;
    std::memcpy(&cost, &bits, sizeof(cost));
    e.facts.cost_usd = cost;
  }
  if (flags & has_run)
    e.facts.run_ms = static_cast<int64_t>(get_be<uint64_t>(value.substr(11)));
  if (flags & has_provider)
    e.provider = std::string{value.substr(index_header)};
  return e;
}

std::string created_key(unix_ms created, std::string_view job_id) {
  std::string out;
  out.reserve(8 + job_id.size());
  put_be(out, static_cast<uint64_t>(created) ^ (uint64_t{1} << 63));
  out += job_id;
  return out;
}

std::string_view job_id_of_created_key(std::string_view key) {
  return key.size() < 8 ? std::string_view{} : key.substr(8);
}

namespace {

// A key beside the job's: beside_prefix, the tag, then `rest`.
std::string beside_job(std::string_view job_id, char tag,
                       std::string_view rest = {}) {
  auto out = beside_prefix(job_id);
  out.push_back(tag);
  out += rest;
  return out;
}

} // namespace

std::string beside_prefix(std::string_view job_id) {
  std::string out{job_id};
  out.push_back('\0');
  return out;
}

std::string logs_key(std::string_view job_id) {
  return beside_job(job_id, 'L');
}

std::string claim_key(std::string_view job_id, std::string_view webhook_id) {
  return beside_job(job_id, 'W', webhook_id);
}

std::string claim_time_key(unix_ms received, std::string_view job_id,
                           std::string_view webhook_id) {
  auto out = created_key(received, job_id);
  out.push_back('\0');
  out += webhook_id;
  return out;
}

std::optional<std::pair<std::string_view, std::string_view>>
claim_of_time_key(std::string_view key) {
  if (key.size() < 8)
    return std::nullopt;
  auto rest = key.substr(8);
  auto zero = rest.find('\0');
  if (zero == std::string_view::npos)
    return std::nullopt;
  return std::pair{rest.substr(0, zero), rest.substr(zero + 1)};
}

std::string provider_key(std::string_view provider, std::string_view id) {
  std::string out{provider};
  out.push_back('\0');
  out += id;
  return out;
}

std::string counter_key(job_type type, job_status status,
                        const std::optional<std::string>& provider) {
  std::string out{counter_prefix};
  out.push_back(static_cast<char>('0' + static_cast<int>(type)));
  out.push_back(static_cast<char>('0' + static_cast<int>(status)));
  if (provider) {
    out.push_back('=');
    out += *provider;
  }
  return out;
}

std::optional<counter_attributes> decode_counter_key(std::string_view key) {
  if (key.size() < counter_prefix.size() + 2
      || key.substr(0, counter_prefix.size()) != counter_prefix)
    return std::nullopt;
  auto rest = key.substr(counter_prefix.size());
  int type = rest[0] - '0';
  int status = rest[1] - '0';
  if (type < 0 || type > 1 || status < 0 || status > 6)
    return std::nullopt;
  counter_attributes a{static_cast<job_type>(type),
                       static_cast<job_status>(status), std::nullopt};
  if (rest.size() > 2) {
    if (rest[2] != '=')
      return std::nullopt;
    a.provider = std::string{rest.substr(3)};
  }
  return a;
}

std::string encode_u64(uint64_t x) {
  std::string out(8, '\0');
  for (size_t i = 0; i < 8; ++i)
    out[i] = static_cast<char>((x >> (8 * i)) & 0xFF);
  return out;
}

std::optional<uint64_t> decode_u64(std::string_view bytes) {
  if (bytes.size() != 8)
    return std::nullopt;
  uint64_t x = 0;
  for (size_t i = 0; i < 8; ++i)
    x |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  return x;
}

} // namespace jobsync::storage
