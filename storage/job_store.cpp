#include "storage/job_store.hpp"

#include "storage/codec.hpp"

namespace jobsync::storage {

namespace {

// Propagates a failure out of the enclosing function.
#define JOBSYNC_TRY(expr)                                                      \
  do {                                                                         \
    auto try_result_ = (expr);                                                 \
    if (!try_result_)                                                          \
      return try_result_.error();                                              \
  } while (false)

constexpr std::string_view schema_key = "schema_version";
constexpr std::string_view event_id_key = "last_event_id";

bool has_prefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

failure corrupt(std::string_view what, std::string_view key) {
  return {errc::internal, "storage holds an unreadable " + std::string{what}
                              + " for '" + std::string{key} + "'"};
}

result<MDB_dbi> open_table(transaction& txn, const char* name) {
  MDB_dbi dbi;
  int rc = mdb_dbi_open(txn.get(), name, MDB_CREATE, &dbi);
  if (rc != 0)
    return lmdb_failure(rc, std::string{"mdb_dbi_open "} + name);
  return dbi;
}

} // namespace

// -- read_view ---------------------------------------------------------------

result<std::optional<job>> read_view::get(std::string_view job_id) const {
  auto raw = txn_.get(t_.jobs, job_id);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<job>{};
  auto x = decode_job(**raw);
  if (!x)
    return corrupt("job", job_id);
  return std::optional<job>{std::move(*x)};
}

result<std::optional<job_logs>> read_view::logs(std::string_view job_id) const {
  auto raw = txn_.get(t_.logs, job_id);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<job_logs>{};
  auto x = decode_logs(**raw);
  if (!x)
    return corrupt("log record", job_id);
  return std::optional<job_logs>{std::move(*x)};
}

result<std::optional<validation_image>>
read_view::image(std::string_view job_id) const {
  auto raw = txn_.get(t_.images, job_id);
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<validation_image>{};
  auto x = decode_image(**raw);
  if (!x)
    return corrupt("validation image", job_id);
  return std::optional<validation_image>{std::move(*x)};
}

result<job_page> read_view::list(const job_filter& filter, size_t limit,
                                 size_t offset) const {
  job_page page;
  auto total = count(filter);
  if (!total)
    return total.error();
  page.total = *total;
  if (limit == 0 || offset >= page.total)
    return page;
  std::vector<std::string> ids;
  {
    auto c = cursor::open(txn_, t_.by_created);
    if (!c)
      return c.error();
    MDB_val key, value;
    size_t skipped = 0;
    for (auto more = c->move(MDB_LAST, key, value);;
         more = c->move(MDB_PREV, key, value)) {
      if (!more)
        return more.error();
      if (!*more || ids.size() == limit)
        break;
      auto entry = decode_index_entry(as_view(key), as_view(value));
      if (!entry)
        return corrupt("index entry", "by_created");
      if (!filter.matches(entry->status, entry->type, entry->provider))
        continue;
      if (skipped < offset) {
        ++skipped;
        continue;
      }
      ids.emplace_back(job_id_of_created_key(as_view(key)));
    }
  }
  page.jobs.reserve(ids.size());
  for (const auto& id : ids) {
    auto raw = txn_.get(t_.jobs, id);
    if (!raw)
      return raw.error();
    if (!*raw)
      return corrupt("index entry without job", id);
    auto x = decode_rendered_job(id, **raw);
    if (!x)
      return corrupt("job", id);
    page.jobs.push_back(std::move(*x));
  }
  return page;
}

result<uint64_t> read_view::count(const job_filter& filter) const {
  auto tallies = counters();
  if (!tallies)
    return tallies.error();
  uint64_t total = 0;
  for (const auto& t : *tallies)
    if (filter.matches(t.status, t.type, t.provider))
      total += t.count;
  return total;
}

result<std::vector<job_tally>> read_view::counters() const {
  auto c = cursor::open(txn_, t_.meta);
  if (!c)
    return c.error();
  std::vector<job_tally> out;
  MDB_val key = as_val(counter_prefix);
  MDB_val value;
  for (auto more = c->move(MDB_SET_RANGE, key, value);;
       more = c->move(MDB_NEXT, key, value)) {
    if (!more)
      return more.error();
    if (!*more || !has_prefix(as_view(key), counter_prefix))
      break;
    auto attrs = decode_counter_key(as_view(key));
    auto n = decode_u64(as_view(value));
    if (!attrs || !n)
      return corrupt("counter", as_view(key));
    out.push_back(
        job_tally{attrs->type, attrs->status, std::move(attrs->provider), *n});
  }
  return out;
}

result<std::vector<job>> read_view::active(std::string_view provider) const {
  std::vector<std::string> ids;
  {
    auto c = cursor::open(txn_, t_.active);
    if (!c)
      return c.error();
    auto prefix = provider_key(provider, "");
    MDB_val key = as_val(prefix);
    MDB_val value;
    for (auto more = c->move(MDB_SET_RANGE, key, value);;
         more = c->move(MDB_NEXT, key, value)) {
      if (!more)
        return more.error();
      if (!*more || !has_prefix(as_view(key), prefix))
        break;
      ids.emplace_back(as_view(key).substr(prefix.size()));
    }
  }
  std::vector<job> jobs;
  jobs.reserve(ids.size());
  for (const auto& id : ids) {
    auto x = get(id);
    if (!x)
      return x.error();
    if (*x)
      jobs.push_back(std::move(**x));
  }
  return jobs;
}

result<std::optional<std::string>>
read_view::find_external(std::string_view provider,
                         std::string_view external_id) const {
  auto raw = txn_.get(t_.by_external, provider_key(provider, external_id));
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<std::string>{};
  return std::optional<std::string>{std::string{**raw}};
}

result<bool> read_view::has_webhook(std::string_view webhook_id) const {
  auto raw = txn_.get(t_.webhooks, webhook_id);
  if (!raw)
    return raw.error();
  return raw->has_value();
}

result<uint64_t> read_view::last_event_id() const {
  auto raw = txn_.get(t_.meta, event_id_key);
  if (!raw)
    return raw.error();
  if (!*raw)
    return uint64_t{0};
  auto n = decode_u64(**raw);
  if (!n)
    return corrupt("event counter", event_id_key);
  return *n;
}

result<metrics_report> read_view::metrics(unix_ms since,
                                          int period_days) const {
  metrics_builder builder{period_days};
  auto c = cursor::open(txn_, t_.by_created);
  if (!c)
    return c.error();
  auto start = created_key(since, "");
  MDB_val key = as_val(start);
  MDB_val value;
  for (auto more = c->move(MDB_SET_RANGE, key, value);;
       more = c->move(MDB_NEXT, key, value)) {
    if (!more)
      return more.error();
    if (!*more)
      break;
    auto entry = decode_index_entry(as_view(key), as_view(value));
    if (!entry)
      return corrupt("index entry", "by_created");
    builder.add(entry->facts);
  }
  return builder.finish();
}

// -- write_view --------------------------------------------------------------

result<void> write_view::add_to_counter(const job& x, int delta) {
  auto key = counter_key(x.type, x.status, x.provider);
  auto raw = txn_.get(t_.meta, key);
  if (!raw)
    return raw.error();
  uint64_t n = 0;
  if (*raw) {
    auto stored = decode_u64(**raw);
    if (!stored)
      return corrupt("counter", key);
    n = *stored;
  }
  n = delta < 0 ? (n == 0 ? 0 : n - 1) : n + 1;
  if (n == 0)
    return txn_.del(t_.meta, key);
  return txn_.put(t_.meta, key, encode_u64(n));
}

result<void> write_view::remove_entries(const job& old) {
  JOBSYNC_TRY(
      txn_.del(t_.by_created, created_key(created_ms(old), old.job_id)));
  if (old.provider) {
    JOBSYNC_TRY(txn_.del(t_.active, provider_key(*old.provider, old.job_id)));
    if (!old.external_id.empty())
      JOBSYNC_TRY(txn_.del(t_.by_external,
                           provider_key(*old.provider, old.external_id)));
  }
  return add_to_counter(old, -1);
}

result<void> write_view::put(const job& x) {
  auto old = get(x.job_id);
  if (!old)
    return old.error();
  if (*old)
    JOBSYNC_TRY(remove_entries(**old));
  JOBSYNC_TRY(txn_.put(t_.jobs, x.job_id, encode_job(x)));
  JOBSYNC_TRY(txn_.put(t_.by_created, created_key(created_ms(x), x.job_id),
                       encode_index_entry(x)));
  if (x.provider) {
    if (is_active(x.status))
      JOBSYNC_TRY(txn_.put(t_.active, provider_key(*x.provider, x.job_id), ""));
    if (!x.external_id.empty())
      JOBSYNC_TRY(txn_.put(t_.by_external,
                           provider_key(*x.provider, x.external_id), x.job_id));
  }
  return add_to_counter(x, +1);
}

result<bool> write_view::erase(std::string_view job_id) {
  auto old = get(job_id);
  if (!old)
    return old.error();
  if (!*old)
    return false;
  JOBSYNC_TRY(remove_entries(**old));
  JOBSYNC_TRY(txn_.del(t_.jobs, job_id));
  JOBSYNC_TRY(txn_.del(t_.logs, job_id));
  JOBSYNC_TRY(txn_.del(t_.images, job_id));
  return true;
}

result<void> write_view::put_logs(std::string_view job_id, const job_logs& x) {
  return txn_.put(t_.logs, job_id, encode_logs(x));
}

result<void> write_view::put_image(std::string_view job_id,
                                   const validation_image& x) {
  return txn_.put(t_.images, job_id, encode_image(x));
}

result<void> write_view::record_webhook(std::string_view webhook_id,
                                        unix_ms received) {
  return txn_.put(t_.webhooks, webhook_id,
                  encode_u64(static_cast<uint64_t>(received)));
}

result<size_t> write_view::prune_webhooks(unix_ms cutoff) {
  auto c = cursor::open(txn_, t_.webhooks);
  if (!c)
    return c.error();
  size_t removed = 0;
  MDB_val key, value;
  for (auto more = c->move(MDB_FIRST, key, value);;
       more = c->move(MDB_NEXT, key, value)) {
    if (!more)
      return more.error();
    if (!*more)
      break;
    auto received = decode_u64(as_view(value));
    if (!received || static_cast<unix_ms>(*received) < cutoff) {
      JOBSYNC_TRY(c->del());
      ++removed;
    }
  }
  return removed;
}

result<void> write_view::set_last_event_id(uint64_t id) {
  return txn_.put(t_.meta, event_id_key, encode_u64(id));
}

result<void> write_view::commit() {
  return txn_.commit();
}

// -- job_store ---------------------------------------------------------------

result<std::unique_ptr<job_store>> job_store::open(const store_options& opts) {
  // Room for a few more tables than there are, so that adding one does not
  // need a new limit.
  auto env = environment::open(opts.path, opts.map_size_bytes, 16);
  if (!env)
    return env.error();
  std::unique_ptr<job_store> store{new job_store{std::move(*env)}};
  auto txn = transaction::begin(store->env_, false);
  if (!txn)
    return txn.error();
  auto& t = store->tables_;
  for (auto [dbi, name] : {std::pair{&t.jobs, "jobs"},
                           {&t.by_created, "by_created"},
                           {&t.by_external, "by_external"},
                           {&t.active, "active"},
                           {&t.webhooks, "webhooks"},
                           {&t.logs, "logs"},
                           {&t.images, "images"},
                           {&t.meta, "meta"}}) {
    auto opened = open_table(*txn, name);
    if (!opened)
      return opened.error();
    *dbi = *opened;
  }
  auto version = txn->get(t.meta, schema_key);
  if (!version)
    return version.error();
  if (!*version) {
    JOBSYNC_TRY(txn->put(t.meta, schema_key, encode_u64(schema_version)));
  } else if (decode_u64(**version) != schema_version) {
    return failure{errc::internal,
                   "storage at " + opts.path
                       + " has an unsupported schema version; it was written "
                         "by another jobsync version"};
  }
  JOBSYNC_TRY(txn->commit());
  return store;
}

result<read_view> job_store::begin_read() const {
  auto txn = transaction::begin(env_, true);
  if (!txn)
    return txn.error();
  return read_view{std::move(*txn), tables_};
}

result<write_view> job_store::begin_write() {
  auto txn = transaction::begin(env_, false);
  if (!txn)
    return txn.error();
  return write_view{std::move(*txn), tables_};
}

} // namespace jobsync::storage
