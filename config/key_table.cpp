#include "config/key_table.hpp"

#include "config/mask.hpp"
#include "config/scalar.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <type_traits>

namespace jobsync::config {

namespace {

using problem = std::optional<std::string>;

// Narrows a text value; may normalise it in place.
using text_rule = std::function<problem(std::string&)>;

text_rule non_empty() {
  return [](std::string& x) -> problem {
    if (x.empty())
      return "must not be empty";
    return std::nullopt;
  };
}

bool has_http_scheme(std::string_view x) {
  for (std::string_view scheme : {"http://", "https://"})
    if (x.size() > scheme.size() && x.substr(0, scheme.size()) == scheme)
      return true;
  return false;
}

bool has_blank(std::string_view x) {
  return std::any_of(x.begin(), x.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
  });
}

// The provider client appends "/predictions" and friends, so a trailing
// slash would double up; it is dropped rather than rejected.
text_rule base_url() {
  return [](std::string& x) -> problem {
    while (x.size() > 1 && x.back() == '/')
      x.pop_back();
    if (!has_http_scheme(x) || has_blank(x))
      return "expected a URL starting with http:// or https://, got "
             + quote(x);
    return std::nullopt;
  };
}

// A replica's name becomes its polling session's application_name, which
// PostgreSQL keeps to 63 bytes of printable ASCII.
text_rule replica_name() {
  return [](std::string& x) -> problem {
    bool printable = std::all_of(x.begin(), x.end(),
                                 [](char c) { return c >= 0x20 && c < 0x7f; });
    if (x.size() > 63 || !printable)
      return "expected empty or at most 63 printable ASCII characters, got "
             + quote(x);
    return std::nullopt;
  };
}

// Sent to Replicate verbatim, so it is only checked, never rewritten.
text_rule optional_url() {
  return [](std::string& x) -> problem {
    if (!x.empty() && (!has_http_scheme(x) || has_blank(x)))
      return "expected empty or a URL starting with http:// or https://, "
             "got "
             + quote(x);
    return std::nullopt;
  };
}

// Standard base64 as the webhook receiver decodes it: padding optional,
// but when present it completes the last quantum.
bool is_base64(std::string_view x) {
  auto data = x;
  size_t pads = 0;
  while (pads < 2 && !data.empty() && data.back() == '=') {
    data.remove_suffix(1);
    ++pads;
  }
  if ((pads > 0 && x.size() % 4 != 0) || data.size() % 4 == 1)
    return false;
  return std::all_of(data.begin(), data.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+'
           || c == '/';
  });
}

// A Standard Webhooks signing secret, checked here so that a typo stops
// --print-config and start-up alike. The value is never repeated: it is a
// secret.
text_rule webhook_secret() {
  return [](std::string& x) -> problem {
    constexpr std::string_view prefix = "whsec_";
    if (x.empty())
      return std::nullopt;
    auto key = std::string_view{x}.substr(std::min(prefix.size(), x.size()));
    if (x.compare(0, prefix.size(), prefix) != 0 || key.empty()
        || !is_base64(key))
      return "expected empty or whsec_ followed by base64, as the provider "
             "shows it (the value given is not repeated here)";
    return std::nullopt;
  };
}

std::string join_choices(const std::vector<std::string>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0)
      out += i + 1 == xs.size() ? " or " : ", ";
    out += xs[i];
  }
  return out;
}

// Where a key's section lives: a member of the settings (`&settings::server`)
// or one provider's entry of `settings::providers`.
struct provider_at {
  std::string name;
};

template <class Section>
Section& section_of(settings& s, Section settings::*member) {
  return s.*member;
}

template <class Section>
const Section& section_of(const settings& s, Section settings::*member) {
  return s.*member;
}

provider_settings& section_of(settings& s, const provider_at& p) {
  return s.providers[p.name];
}

const provider_settings& section_of(const settings& s, const provider_at& p) {
  return s.providers.at(p.name);
}

key_spec make(std::string path, value_kind kind, std::string doc) {
  key_spec k;
  k.path = std::move(path);
  k.kind = kind;
  k.doc = std::move(doc);
  return k;
}

template <class At, class Section>
key_spec text_key(std::string path, At section, std::string Section::*field,
                  std::string doc, text_rule rule = {}) {
  auto k = make(std::move(path), value_kind::text, std::move(doc));
  k.assign
      = [section, field, rule](settings& s, std::string_view x) -> problem {
    std::string value{x};
    if (rule)
      if (auto why = rule(value))
        return why;
    section_of(s, section).*field = std::move(value);
    return std::nullopt;
  };
  k.text = [section, field](const settings& s) {
    return section_of(s, section).*field;
  };
  return k;
}

template <class At, class Section>
key_spec word_key(std::string path, At section, std::string Section::*field,
                  std::vector<std::string> choices, std::string doc) {
  auto k = make(std::move(path), value_kind::word, std::move(doc));
  k.assign
      = [section, field, choices](settings& s, std::string_view x) -> problem {
    if (std::find(choices.begin(), choices.end(), x) == choices.end())
      return "expected " + join_choices(choices) + ", got " + quote(x);
    section_of(s, section).*field = std::string{x};
    return std::nullopt;
  };
  k.text = [section, field](const settings& s) {
    return section_of(s, section).*field;
  };
  return k;
}

template <class At, class Section, class T>
key_spec integer_key(std::string path, At section, T Section::*field,
                     int64_t lo, int64_t hi, std::string doc) {
  auto k = make(std::move(path), value_kind::integer, std::move(doc));
  k.assign
      = [section, field, lo, hi](settings& s, std::string_view x) -> problem {
    auto n = parse_integer(x, lo, hi);
    if (!n)
      return n.error().detail;
    section_of(s, section).*field = static_cast<T>(*n);
    return std::nullopt;
  };
  k.text = [section, field](const settings& s) {
    return std::to_string(section_of(s, section).*field);
  };
  k.range = std::make_pair(lo, hi);
  return k;
}

template <class At, class Section>
key_spec boolean_key(std::string path, At section, bool Section::*field,
                     std::string doc) {
  auto k = make(std::move(path), value_kind::boolean, std::move(doc));
  k.assign = [section, field](settings& s, std::string_view x) -> problem {
    auto flag = parse_boolean(x);
    if (!flag)
      return flag.error().detail;
    section_of(s, section).*field = *flag;
    return std::nullopt;
  };
  k.text = [section, field](const settings& s) {
    return to_text(section_of(s, section).*field);
  };
  return k;
}

template <class At, class Section>
key_spec mode_key(std::string path, At section, polling_mode Section::*field,
                  std::string doc) {
  auto k = make(std::move(path), value_kind::word, std::move(doc));
  k.assign = [section, field](settings& s, std::string_view x) -> problem {
    auto mode = parse_polling_mode(x);
    if (!mode)
      return mode.error().detail;
    section_of(s, section).*field = *mode;
    return std::nullopt;
  };
  k.text = [section, field](const settings& s) {
    return to_text(section_of(s, section).*field);
  };
  return k;
}

template <class At, class Section, class T>
key_spec map_key(std::string path, value_kind kind, At section,
                 std::map<std::string, T> Section::*field, std::string doc) {
  auto k = make(std::move(path), kind, std::move(doc));
  k.assign_map
      = [section, field](settings& s, const map_entries& xs) -> problem {
    std::map<std::string, T> result;
    for (auto& [name, value] : xs) {
      if (name.empty())
        return "an entry has an empty name";
      if constexpr (std::is_same_v<T, double>) {
        auto price = parse_number(value, 0);
        if (!price)
          return "entry " + quote(name) + ": " + price.error().detail;
        result[name] = *price;
      } else {
        if (value.empty())
          return "entry " + quote(name) + ": must not be empty";
        result[name] = value;
      }
    }
    section_of(s, section).*field = std::move(result);
    return std::nullopt;
  };
  k.entries = [section, field](const settings& s) {
    map_entries out;
    for (auto& [name, value] : section_of(s, section).*field) {
      if constexpr (std::is_same_v<T, double>)
        out.emplace_back(name, to_text(value));
      else
        out.emplace_back(name, value);
    }
    return out;
  };
  return k;
}

key_spec with_flag(std::string flag, key_spec k) {
  k.flag = std::move(flag);
  return k;
}

key_spec secret(key_spec k) {
  k.secret = true;
  return k;
}

// Shows everything of a URL but a password in it.
key_spec password_masked(key_spec k) {
  k.secret = true;
  k.mask = mask_password;
  return k;
}

// A reload applies the key's new value to the running server.
key_spec live(key_spec k) {
  k.reloads = true;
  return k;
}

key_spec with_aliases(std::vector<std::string> names, key_spec k) {
  k.env_aliases = std::move(names);
  return k;
}

constexpr int64_t day = 86400;
constexpr int64_t hour = 3600;
constexpr int64_t mib = 1 << 20;
constexpr int64_t gib = 1 << 30;
constexpr int64_t million = 1000000;

// The providers jobsync knows, each a section `providers.<name>`.
constexpr const char* provider_names[] = {"replicate"};

std::string upper(std::string x) {
  for (auto& c : x)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return x;
}

// Every key of one provider's section. The seed's environment names
// (REPLICATE_API_TOKEN, REPLICATE_WEBHOOK_SECRET) follow from the name.
template <class Add>
void add_provider_keys(Add add, const std::string& name) {
  using rep = provider_settings;
  auto at = provider_at{name};
  auto key = [&name](const char* field) {
    return "providers." + name + "." + field;
  };
  add(boolean_key(key("enabled"), at, &rep::enabled,
                  "whether jobsync talks to the provider at all"));
  add(text_key(key("api_base_url"), at, &rep::api_base_url,
               "the provider's API root", base_url()));
  add(live(with_aliases({upper(name) + "_API_TOKEN"},
                        secret(text_key(key("api_token"), at, &rep::api_token,
                                        "the provider's API token")))));
  add(live(text_key(key("webhook_url"), at, &rep::webhook_url,
                    "public URL of this server's webhook receiver, if any",
                    optional_url())));
  add(live(with_aliases(
      {upper(name) + "_WEBHOOK_SECRET"},
      secret(text_key(key("webhook_secret"), at, &rep::webhook_secret,
                      "webhook signing secret (whsec_...); empty: fetched "
                      "from the provider",
                      webhook_secret())))));
  add(integer_key(key("sync_limit"), at, &rep::sync_limit, 1, 100000,
                  "jobs a sync discovers at most"));
  add(word_key(key("resource"), at, &rep::resource,
               {"predictions", "trainings"},
               "the provider's collection that holds the jobs"));
  add(integer_key(key("request_timeout_seconds"), at,
                  &rep::request_timeout_seconds, 1, hour,
                  "deadline of one request to the provider"));
  add(integer_key(key("connect_timeout_seconds"), at,
                  &rep::connect_timeout_seconds, 1, hour,
                  "deadline of connecting to the provider"));
  add(integer_key(key("max_concurrency"), at, &rep::max_concurrency, 1, 1024,
                  "requests to the provider in flight at most"));
  add(live(integer_key(key("requests_per_minute"), at,
                       &rep::requests_per_minute, 1, million,
                       "request budget of the poller")));
  add(live(integer_key(key("circuit_failure_threshold"), at,
                       &rep::circuit_failure_threshold, 1, 1000,
                       "failed cycles in a row that open the circuit")));
  add(live(integer_key(key("circuit_open_seconds"), at,
                       &rep::circuit_open_seconds, 1, day,
                       "how long an open circuit waits before a probe")));
  add(live(integer_key(key("backoff_initial_seconds"), at,
                       &rep::backoff_initial_seconds, 1, day,
                       "first retry delay after a failure")));
  add(live(integer_key(key("backoff_max_seconds"), at,
                       &rep::backoff_max_seconds, 1, day,
                       "longest retry delay")));
  add(live(integer_key(
      key("lost_after_seconds"), at, &rep::lost_after_seconds, 0, 365 * day,
      "a job the provider does not know for this long is failed; "
      "0: never")));
  add(text_key(key("default_hardware"), at, &rep::default_hardware,
               "hardware SKU assumed when a job does not say", non_empty()));
  add(map_key(key("hardware_prices"), value_kind::number_map, at,
              &rep::hardware_prices,
              "SKU -> US dollars per second (file only)"));
  add(map_key(key("hardware_names"), value_kind::text_map, at,
              &rep::hardware_names,
              "SKU -> label shown as hardware_type (file only)"));
  add(map_key(key("model_hardware"), value_kind::text_map, at,
              &rep::model_hardware, "model (owner/name) -> SKU (file only)"));
}

std::vector<key_spec> build_table() {
  using s = settings;
  using srv = server_settings;
  using sto = storage_settings;
  using pol = polling_settings;
  using fresh = freshness_settings;
  using evt = event_settings;
  using hook = webhook_settings;
  using prog = progress_settings;
  using loc = local_settings;
  std::vector<key_spec> t;
  auto add = [&t](key_spec k) { t.push_back(std::move(k)); };
  // server
  add(with_flag("--host",
                text_key("server.host", &s::server, &srv::host,
                         "address the HTTP server listens on", non_empty())));
  add(with_flag("--port",
                integer_key("server.port", &s::server, &srv::port, 0, 65535,
                            "TCP port; 0 picks a free one (the "
                            "bound port is logged)")));
  add(integer_key("server.threads", &s::server, &srv::threads, 1, 64,
                  "HTTP I/O threads"));
  add(integer_key("server.max_body_bytes", &s::server, &srv::max_body_bytes, 1,
                  gib, "largest accepted request body (bigger: 413)"));
  add(live(secret(text_key("server.api_token", &s::server, &srv::api_token,
                           "when set, /api/ routes need 'Authorization: Bearer "
                           "<token>'"))));
  add(integer_key("server.request_timeout_seconds", &s::server,
                  &srv::request_timeout_seconds, 1, day,
                  "a request must arrive, and a response keep writing, "
                  "within this"));
  // Up to what Linux allows any open-file limit to be (fs.nr_open).
  add(integer_key("server.max_connections", &s::server, &srv::max_connections,
                  0, int64_t{2147483647},
                  "connections held at once, event streams included; 0: "
                  "what the open-file limit allows"));
  add(text_key("server.replica_name", &s::server, &srv::replica_name,
               "this replica's name among replicas sharing a database; "
               "empty: host name and port",
               replica_name()));
  // storage
  add(word_key("storage.backend", &s::storage, &sto::backend,
               {"lmdb", "postgres"},
               "lmdb (a local folder) or postgres (a database that "
               "several replicas share)"));
  add(with_flag("--data-dir",
                text_key("storage.path", &s::storage, &sto::path,
                         "folder of the LMDB environment", non_empty())));
  add(integer_key("storage.map_size_mb", &s::storage, &sto::map_size_mb, 1,
                  16 * million, "LMDB map size: the most the data may grow"));
  add(integer_key("storage.log_tail_bytes", &s::storage, &sto::log_tail_bytes,
                  1, 64 * mib, "bytes of each job's log kept"));
  add(password_masked(text_key("storage.postgres.url", &s::storage,
                               &sto::postgres_url,
                               "libpq connection string or URI of the "
                               "database (backend postgres)")));
  add(text_key("storage.postgres.password_file", &s::storage,
               &sto::postgres_password_file,
               "file whose first line is the database password"));
  add(integer_key("storage.postgres.pool_size", &s::storage,
                  &sto::postgres_pool_size, 2, 1000,
                  "database connections kept open for queries"));
  // background.job_status_polling
  add(live(mode_key("background.job_status_polling.enabled", &s::polling,
                    &pol::enabled,
                    "auto (poll unless a webhook_url is set), true or false")));
  add(live(
      with_aliases({"SIMPLETUNER_JOB_POLL_INTERVAL", "JOBSYNC_POLL_INTERVAL"},
                   integer_key("background.job_status_polling."
                               "interval_seconds",
                               &s::polling, &pol::interval_seconds, 1, day,
                               "seconds between polling cycles"))));
  // background (beside polling)
  add(live(integer_key("background.reconcile_interval_seconds", &s::freshness,
                       &fresh::reconcile_interval_seconds, 0, day,
                       "every provider is reconciled at least this often; 0: "
                       "never")));
  add(live(integer_key("background.stale_after_seconds", &s::freshness,
                       &fresh::stale_after_seconds, 0, 365 * day,
                       "an unconfirmed active job is stale after this; 0: 3 x "
                       "the sweep interval")));
  // providers.<name>
  for (const char* name : provider_names)
    add_provider_keys(add, name);
  // providers.local
  add(boolean_key("providers.local.enabled", &s::local, &loc::enabled,
                  "whether POST /callback takes local trainers' reports"));
  add(secret(text_key("providers.local.api_key", &s::local, &loc::api_key,
                      "X-API-Key local trainers must send; empty: "
                      "loopback clients only")));
  add(integer_key("providers.local.max_body_bytes", &s::local,
                  &loc::max_body_bytes, 1, gib,
                  "largest accepted trainer report (bigger: 413)"));
  add(integer_key("providers.local.max_image_bytes", &s::local,
                  &loc::max_image_bytes, 1, gib,
                  "larger validation images are not kept"));
  add(integer_key("providers.local.silence_timeout_seconds", &s::local,
                  &loc::silence_timeout_seconds, 1, 7 * day,
                  "a running local job with no report for this long fails"));
  // events
  add(live(integer_key("events.heartbeat_seconds", &s::events,
                       &evt::heartbeat_seconds, 1, hour,
                       "SSE comment sent this often on a quiet stream")));
  add(integer_key("events.replay_buffer", &s::events, &evt::replay_buffer, 1,
                  million, "recent events kept for Last-Event-ID resumes"));
  add(integer_key("events.max_connections", &s::events, &evt::max_connections,
                  1, million, "SSE subscribers at most"));
  add(live(integer_key("events.max_connections_per_address", &s::events,
                       &evt::max_connections_per_address, 1, million,
                       "SSE subscribers per client address at most")));
  add(live(integer_key(
      "events.max_buffered_bytes", &s::events, &evt::max_buffered_bytes, 1, gib,
      "unsent bytes after which a slow subscriber is dropped")));
  add(live(integer_key("events.retry_ms", &s::events, &evt::retry_ms, 1,
                       hour * 1000, "reconnect delay suggested to clients")));
  // webhooks
  add(live(boolean_key("webhooks.allow_unsigned", &s::webhooks,
                       &hook::allow_unsigned,
                       "accept unsigned deliveries (development only)")));
  add(live(integer_key("webhooks.timestamp_tolerance_seconds", &s::webhooks,
                       &hook::timestamp_tolerance_seconds, 1, day,
                       "largest accepted age of a signed delivery")));
  add(integer_key("webhooks.id_retention_hours", &s::webhooks,
                  &hook::id_retention_hours, 1, 24 * 365,
                  "how long delivery ids are kept to drop duplicates"));
  add(live(integer_key("webhooks.failed_signatures_per_minute", &s::webhooks,
                       &hook::failed_signatures_per_minute, 1, million,
                       "bad signatures per address and minute before 429")));
  // sync
  add(live(integer_key("sync.active_deadline_seconds", &s::sync,
                       &sync_settings::active_deadline_seconds, 1, hour,
                       "time budget of ?sync_active=true")));
  // inline_progress
  add(live(integer_key("inline_progress.freshness_seconds", &s::inline_progress,
                       &prog::freshness_seconds, 1, day,
                       "a log tail younger than this is served as is")));
  add(live(integer_key("inline_progress.fetch_timeout_seconds",
                       &s::inline_progress, &prog::fetch_timeout_seconds, 1,
                       hour, "deadline of the log fetch behind a request")));
  // web
  add(live(text_key("web.assets_dir", &s::web, &web_settings::assets_dir,
                    "serve the dashboard from this folder; empty: built-in")));
  add(live(
      boolean_key("web.demo", &s::web, &web_settings::demo,
                  "show a DEMO banner (jobsync runs against the emulator)")));
  // logging
  add(live(word_key("logging.level", &s::logging, &logging_settings::level,
                    {"debug", "info", "warning", "error"},
                    "lines below this level are dropped")));
  return t;
}

} // namespace

std::string key_spec::env_name() const {
  std::string out = "JOBSYNC_";
  for (char c : path)
    out += c == '.'
               ? '_'
               : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const std::vector<key_spec>& keys() {
  static const std::vector<key_spec> table = build_table();
  return table;
}

const key_spec* find_key(std::string_view path) {
  for (auto& k : keys())
    if (k.path == path)
      return &k;
  return nullptr;
}

namespace {

bool is_below(std::string_view path, std::string_view section) {
  return section.empty()
         || (path.size() > section.size()
             && path.substr(0, section.size()) == section
             && path[section.size()] == '.');
}

} // namespace

bool is_section(std::string_view path) {
  if (path.empty())
    return false;
  for (auto& k : keys())
    if (is_below(k.path, path))
      return true;
  return false;
}

std::vector<std::string> children_of(std::string_view section) {
  std::vector<std::string> out;
  auto skip = section.empty() ? 0 : section.size() + 1;
  for (auto& k : keys()) {
    if (!is_below(k.path, section))
      continue;
    auto dot = k.path.find('.', skip);
    auto child = k.path.substr(0, dot);
    if (std::find(out.begin(), out.end(), child) == out.end())
      out.push_back(std::move(child));
  }
  return out;
}

} // namespace jobsync::config
