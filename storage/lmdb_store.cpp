#include "storage/lmdb_store.hpp"

#include "logging/log.hpp"
#include "storage/codec.hpp"

#include <array>

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
// Settings live in `meta` beside the counters, under their own prefix.
constexpr std::string_view setting_prefix = "setting/";

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

// The queries, shared by read-only and read-write transactions.
template <class Base>
class lmdb_reader : public Base {
public:
  lmdb_reader(transaction txn, const tables& t) : txn_(std::move(txn)), t_(t) {}

  result<std::optional<job>> get(std::string_view job_id) const override;
  result<std::optional<job_logs>> logs(std::string_view job_id) const override;
  result<std::optional<validation_image>>
  image(std::string_view job_id) const override;
  result<job_page> list(const job_filter& filter, size_t limit,
                        size_t offset) const override;
  result<std::vector<job_tally>> counters() const override;
  result<std::vector<job>> active(std::string_view provider) const override;
  result<std::vector<stale_tally>> stale(const staleness_rule& rule,
                                         unix_ms now) const override;
  result<std::optional<std::string>>
  find_external(std::string_view provider,
                std::string_view external_id) const override;
  result<bool> has_webhook(std::string_view job_id,
                           std::string_view webhook_id) const override;
  result<uint64_t> last_event_id() const override;
  result<event_backlog> recent_events(size_t limit) const override;
  result<metrics_report> metrics(unix_ms since, int period_days) const override;
  result<std::optional<std::string>>
  setting(std::string_view key) const override;

protected:
  // A job's stored value and the table that holds it.
  struct located {
    MDB_dbi table;
    std::string_view raw;
  };

  // One or two tables, to look in in order (no allocation per lookup).
  struct table_list {
    std::array<MDB_dbi, 2> tables;
    size_t size;
    const MDB_dbi* begin() const {
      return tables.data();
    }
    const MDB_dbi* end() const {
      return tables.data() + size;
    }
  };

  // A job is in `live` while it is active and in `jobs` once finished;
  // `finished` says which to look in first (a by_created entry knows).
  // `jobs` also holds the active jobs a folder from before schema version
  // 3 stored, until they are written again.
  table_list job_tables(bool finished = false) const {
    if (finished)
      return {{t_.jobs, t_.live}, 2};
    return {{t_.live, t_.jobs}, 2};
  }

  result<std::optional<located>> locate(std::string_view job_id,
                                        bool finished = false) const {
    if (last_ && last_->job_id == job_id) {
      if (!last_->table)
        return std::optional<located>{};
      auto raw = txn_.get(*last_->table, job_id);
      if (!raw)
        return raw.error();
      if (*raw)
        return std::optional<located>{located{*last_->table, **raw}};
    }
    for (auto table : job_tables(finished)) {
      auto raw = txn_.get(table, job_id);
      if (!raw)
        return raw.error();
      if (*raw) {
        remember_place(job_id, table);
        return std::optional<located>{located{table, **raw}};
      }
    }
    remember_place(job_id, std::nullopt);
    return std::optional<located>{};
  }

  // The table that holds a job, nullopt when it is not stored; without a
  // lookup for the job last located.
  result<std::optional<MDB_dbi>> place_of(std::string_view job_id) const {
    if (last_ && last_->job_id == job_id)
      return last_->table;
    auto at = locate(job_id);
    if (!at)
      return at.error();
    return *at ? std::optional<MDB_dbi>{(*at)->table} : std::nullopt;
  }

  // Notes where a lookup found a job, or where a write put it. A delivery
  // looks its job up five times in one transaction (its webhook id, the
  // job, its put, its log tail read and written), and a job not stored yet
  // cost two misses each time.
  void remember_place(std::string_view job_id,
                      std::optional<MDB_dbi> table) const {
    if (!last_)
      last_.emplace();
    last_->job_id.assign(job_id);
    last_->table = table;
  }

  // Where the keys beside a job are: with its record, or in either table
  // when it has none (a deleted job's webhook ids stay until pruned).
  table_list beside_tables(std::optional<MDB_dbi> place) const {
    if (place)
      return {{*place, *place}, 1};
    return job_tables();
  }

  // Whether a webhook id was applied to the job stored in `place`. Claims
  // made before schema version 2 are in the `webhooks` table until pruned.
  result<bool> has_claim(std::optional<MDB_dbi> place, std::string_view job_id,
                         std::string_view webhook_id) const {
    auto key = claim_key(job_id, webhook_id);
    for (auto table : beside_tables(place)) {
      auto beside = txn_.get(table, key);
      if (!beside)
        return beside.error();
      if (beside->has_value())
        return true;
    }
    auto legacy = txn_.get(t_.webhooks, webhook_id);
    if (!legacy)
      return legacy.error();
    return legacy->has_value();
  }

  // Calls `f(cursor, key, value)` for each entry of `table` whose key
  // starts with `prefix`, in key order; `f` may delete the entry under the
  // cursor, and a failure it returns ends the walk.
  template <class F>
  result<void> each_with_prefix(MDB_dbi table, std::string_view prefix,
                                F&& f) const {
    auto c = cursor::open(txn_, table);
    if (!c)
      return c.error();
    MDB_val key = as_val(prefix);
    MDB_val value;
    for (auto more = c->move(MDB_SET_RANGE, key, value);;
         more = c->move(MDB_NEXT, key, value)) {
      if (!more)
        return more.error();
      if (!*more || !has_prefix(as_view(key), prefix))
        return {};
      JOBSYNC_TRY(f(*c, as_view(key), as_view(value)));
    }
  }

  // The record under `key` in `table`, decoded; nullopt when there is none.
  template <class T>
  result<std::optional<T>>
  read_record(MDB_dbi table, std::string_view key,
              std::optional<T> (*decode)(std::string_view),
              std::string_view what) const {
    auto raw = txn_.get(table, key);
    if (!raw)
      return raw.error();
    if (!*raw)
      return std::optional<T>{};
    auto x = decode(**raw);
    if (!x)
      return corrupt(what, key);
    return x;
  }

  // The job stored as `raw` under `job_id`, or the failure that says it is
  // unreadable.
  static result<job> decoded_job(std::string_view job_id,
                                 std::string_view raw) {
    auto x = decode_job(raw);
    if (!x)
      return corrupt("job", job_id);
    return std::move(*x);
  }

  transaction txn_;
  const tables& t_;

private:
  struct place {
    std::string job_id;
    std::optional<MDB_dbi> table;
  };
  mutable std::optional<place> last_;
};

template <class Base>
result<std::optional<job>>
lmdb_reader<Base>::get(std::string_view job_id) const {
  auto at = locate(job_id);
  if (!at)
    return at.error();
  if (!*at)
    return std::optional<job>{};
  auto x = decoded_job(job_id, (*at)->raw);
  if (!x)
    return x.error();
  return std::optional<job>{std::move(*x)};
}

// Beside the job since schema version 2; a tail stored before stays in
// the `logs` table until the job's next one.
template <class Base>
result<std::optional<job_logs>>
lmdb_reader<Base>::logs(std::string_view job_id) const {
  auto at = place_of(job_id);
  if (!at)
    return at.error();
  for (auto table : beside_tables(*at)) {
    auto beside
        = read_record(table, logs_key(job_id), decode_logs, "log record");
    if (!beside || *beside)
      return beside;
  }
  return read_record(t_.logs, job_id, decode_logs, "log record");
}

template <class Base>
result<std::optional<validation_image>>
lmdb_reader<Base>::image(std::string_view job_id) const {
  return read_record(t_.images, job_id, decode_image, "validation image");
}

template <class Base>
result<job_page> lmdb_reader<Base>::list(const job_filter& filter, size_t limit,
                                         size_t offset) const {
  job_page page;
  auto total = this->count(filter);
  if (!total)
    return total.error();
  page.total = *total;
  if (limit == 0 || offset >= page.total)
    return page;
  // Each id with whether its job is finished (in `jobs` rather than
  // `live`), as its index entry says.
  std::vector<std::pair<std::string, bool>> ids;
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
      ids.emplace_back(job_id_of_created_key(as_view(key)),
                       !is_active(entry->status));
    }
  }
  page.jobs.reserve(ids.size());
  for (const auto& [id, finished] : ids) {
    auto at = locate(id, finished);
    if (!at)
      return at.error();
    if (!*at)
      return corrupt("index entry without job", id);
    auto x = decode_rendered_job(id, (*at)->raw);
    if (!x)
      return corrupt("job", id);
    page.jobs.push_back(std::move(*x));
  }
  return page;
}

template <class Base>
result<std::vector<job_tally>> lmdb_reader<Base>::counters() const {
  std::vector<job_tally> out;
  JOBSYNC_TRY(each_with_prefix(t_.meta, counter_prefix,
                               [&](cursor&, std::string_view key,
                                   std::string_view value) -> result<void> {
                                 auto attrs = decode_counter_key(key);
                                 auto n = decode_u64(value);
                                 if (!attrs || !n)
                                   return corrupt("counter", key);
                                 out.push_back(
                                     job_tally{attrs->type, attrs->status,
                                               std::move(attrs->provider), *n});
                                 return {};
                               }));
  return out;
}

template <class Base>
result<std::vector<job>>
lmdb_reader<Base>::active(std::string_view provider) const {
  std::vector<std::string> ids;
  auto prefix = provider_key(provider, "");
  JOBSYNC_TRY(each_with_prefix(
      t_.active, prefix,
      [&](cursor&, std::string_view key, std::string_view) -> result<void> {
        ids.emplace_back(key.substr(prefix.size()));
        return {};
      }));
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

// Walks the `active` index (provider order) and reads only the header of
// each active job's value.
template <class Base>
result<std::vector<stale_tally>>
lmdb_reader<Base>::stale(const staleness_rule& rule, unix_ms now) const {
  std::vector<stale_tally> out;
  auto c = cursor::open(txn_, t_.active);
  if (!c)
    return c.error();
  MDB_val key, value;
  for (auto more = c->move(MDB_FIRST, key, value);;
       more = c->move(MDB_NEXT, key, value)) {
    if (!more)
      return more.error();
    if (!*more)
      break;
    auto k = as_view(key);
    auto zero = k.find('\0');
    if (zero == std::string_view::npos)
      return corrupt("index entry", "active");
    auto provider = k.substr(0, zero);
    auto job_id = k.substr(zero + 1);
    if (out.empty() || out.back().provider != provider)
      out.push_back(stale_tally{std::string{provider}, 0});
    auto at = locate(job_id);
    if (!at)
      return at.error();
    if (!*at)
      continue;
    auto f = decode_job_freshness((*at)->raw);
    if (!f)
      return corrupt("job", job_id);
    if (is_stale(rule, f->status, f->reached_provider, f->synced_at, now))
      ++out.back().count;
  }
  return out;
}

template <class Base>
result<std::optional<std::string>>
lmdb_reader<Base>::find_external(std::string_view provider,
                                 std::string_view external_id) const {
  auto raw = txn_.get(t_.by_external, provider_key(provider, external_id));
  if (!raw)
    return raw.error();
  // Folders written before schema version 3 hold entries to the same id.
  if (!*raw || **raw == external_id)
    return std::optional<std::string>{};
  return std::optional<std::string>{std::string{**raw}};
}

template <class Base>
result<bool> lmdb_reader<Base>::has_webhook(std::string_view job_id,
                                            std::string_view webhook_id) const {
  auto at = place_of(job_id);
  if (!at)
    return at.error();
  return has_claim(*at, job_id, webhook_id);
}

template <class Base>
result<std::optional<std::string>>
lmdb_reader<Base>::setting(std::string_view key) const {
  auto raw = txn_.get(t_.meta, std::string{setting_prefix} + std::string{key});
  if (!raw)
    return raw.error();
  if (!*raw)
    return std::optional<std::string>{};
  return std::optional<std::string>{std::string{**raw}};
}

template <class Base>
result<uint64_t> lmdb_reader<Base>::last_event_id() const {
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

template <class Base>
result<event_backlog> lmdb_reader<Base>::recent_events(size_t) const {
  // Events are not stored: the one process that writes sees them live.
  auto last = last_event_id();
  if (!last)
    return last.error();
  return event_backlog{*last, {}};
}

template <class Base>
result<metrics_report> lmdb_reader<Base>::metrics(unix_ms since,
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

class lmdb_read_view final : public lmdb_reader<read_view> {
public:
  using lmdb_reader::lmdb_reader;
};

class lmdb_write_view final : public lmdb_reader<write_view> {
public:
  lmdb_write_view(transaction txn, const tables& t, lmdb_store& store)
      : lmdb_reader(std::move(txn), t), store_(store) {}

  // A job stored or read by an earlier write is taken as known instead of
  // parsed again (written_jobs); one read here is remembered for the put
  // that usually follows and for the job's next delivery.
  result<std::optional<job>> get(std::string_view job_id) const override {
    auto at = locate(job_id);
    if (!at)
      return at.error();
    if (!*at)
      return std::optional<job>{};
    if (const auto* known = store_.written().find(job_id, (*at)->raw))
      return std::optional<job>{*known};
    auto x = decoded_job(job_id, (*at)->raw);
    if (!x)
      return x.error();
    store_.written().remember(*x, std::string{(*at)->raw});
    return std::optional<job>{std::move(*x)};
  }

  result<void> put(const job& x) override {
    return noted(put_job(x));
  }

  result<bool> confirm(std::string_view job_id, unix_ms at) override {
    return noted(confirm_job_at(job_id, at));
  }

  result<bool> erase(std::string_view job_id) override {
    return noted(erase_job(job_id));
  }

  // With the job; a tail stored before its job waits in `live`, and the
  // job's first put takes it along to `jobs` if the job is finished.
  result<void> put_logs(std::string_view job_id, const job_logs& x) override {
    auto at = place_of(job_id);
    if (!at)
      return at.error();
    auto home = at->value_or(t_.live);
    JOBSYNC_TRY(noted(txn_.put(home, logs_key(job_id), encode_logs(x))));
    return noted(txn_.del(t_.logs, job_id));
  }

  result<void> put_image(std::string_view job_id,
                         const validation_image& x) override {
    return noted(txn_.put(t_.images, job_id, encode_image(x)));
  }

  result<bool> claim_webhook(std::string_view job_id,
                             std::string_view webhook_id,
                             unix_ms received) override;
  result<size_t> prune_webhooks(unix_ms cutoff) override;
  result<void> number_events(std::vector<job_changed>& events) override;

  result<void> put_setting(std::string_view key,
                           std::string_view value) override {
    return noted(txn_.put(
        t_.meta, std::string{setting_prefix} + std::string{key}, value));
  }

  result<void> commit() override {
    auto done = noted(txn_.commit());
    if (done)
      store_.note_full(std::nullopt);
    return done;
  }

private:
  // A write that ran out of map space makes the store unwritable until a
  // commit succeeds (readiness reports it).
  template <class T>
  result<T> noted(result<T> x) {
    if (!x && x.error().code == errc::unavailable)
      store_.note_full(x.error());
    return x;
  }

  result<void> put_job(const job& x);
  result<void> move_beside(std::string_view job_id, MDB_dbi from, MDB_dbi to);
  result<bool> confirm_job_at(std::string_view job_id, unix_ms at);
  result<bool> erase_job(std::string_view job_id);
  result<size_t> prune_legacy_webhooks(unix_ms cutoff);
  result<void> update_entries(const job* before, const job* after);
  result<void> move_entry(MDB_dbi dbi, const std::optional<std::string>& before,
                          const std::optional<std::string>& after,
                          std::string_view value, bool value_changed);
  result<void> add_to_counter(const std::string& key, int delta);

  lmdb_store& store_;
};

result<void> lmdb_write_view::add_to_counter(const std::string& key,
                                             int delta) {
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

namespace {

// The entries a stored job has in the index tables and the counters.
struct index_entries {
  std::optional<std::string> created;
  std::string created_value;
  std::optional<std::string> active;
  std::optional<std::string> external;
  std::string counter;
};

index_entries entries_of(const job& x) {
  index_entries e;
  e.created = created_key(created_ms(x), x.job_id);
  e.created_value = encode_index_entry(x);
  if (x.provider) {
    if (is_active(x.status))
      e.active = provider_key(*x.provider, x.job_id);
    // A job kept under its provider's own id needs no entry to be found
    // (find_external): most jobs, and one random B-tree insert less each.
    if (!x.external_id.empty() && x.external_id != x.job_id)
      e.external = provider_key(*x.provider, x.external_id);
  }
  e.counter = counter_key(x.type, x.status, x.provider);
  return e;
}

} // namespace

result<void>
lmdb_write_view::move_entry(MDB_dbi dbi,
                            const std::optional<std::string>& before,
                            const std::optional<std::string>& after,
                            std::string_view value, bool value_changed) {
  if (before && before != after)
    JOBSYNC_TRY(txn_.del(dbi, *before));
  if (after && (before != after || value_changed))
    JOBSYNC_TRY(txn_.put(dbi, *after, value));
  return {};
}

// Writes only the entries that differ: a delivery that moves a job's
// status leaves its by_external entry alone, and every entry rewritten
// dirties a page of a random place in its table, which the commit then
// writes and syncs (a few KiB per delivery).
result<void> lmdb_write_view::update_entries(const job* before,
                                             const job* after) {
  auto was = before ? entries_of(*before) : index_entries{};
  auto is = after ? entries_of(*after) : index_entries{};
  JOBSYNC_TRY(move_entry(t_.by_created, was.created, is.created,
                         is.created_value,
                         was.created_value != is.created_value));
  JOBSYNC_TRY(move_entry(t_.active, was.active, is.active, "", false));
  JOBSYNC_TRY(move_entry(t_.by_external, was.external, is.external,
                         after ? std::string_view{after->job_id} : "", false));
  if (was.counter == is.counter)
    return {};
  if (before)
    JOBSYNC_TRY(add_to_counter(was.counter, -1));
  if (after)
    JOBSYNC_TRY(add_to_counter(is.counter, +1));
  return {};
}

// Active jobs are kept in `live`, a table of the few jobs in flight whose
// pages a commit of deliveries changes anyway; a job moves to `jobs`, with
// what is kept beside it, once finished. (All in one table keyed by random
// provider ids, each delivery changed a leaf and a branch page in a
// random place of a large tree.)
result<void> lmdb_write_view::put_job(const job& x) {
  auto at = locate(x.job_id);
  if (!at)
    return at.error();
  // The job as stored, for moving its index entries: usually the one the
  // registry just read, known without a parse.
  const job* old = nullptr;
  std::optional<job> decoded;
  if (*at) {
    old = store_.written().find(x.job_id, (*at)->raw);
    if (!old) {
      auto stored = decoded_job(x.job_id, (*at)->raw);
      if (!stored)
        return stored.error();
      old = &decoded.emplace(std::move(*stored));
    }
  }
  auto home = is_active(x.status) ? t_.live : t_.jobs;
  auto other = home == t_.live ? t_.jobs : t_.live;
  auto bytes = encode_job(x);
  JOBSYNC_TRY(txn_.put(home, x.job_id, bytes));
  // A new job may have had its tail or webhook id stored first (in
  // `live`); a moved one leaves nothing behind.
  if (!*at || (*at)->table != home) {
    if (*at)
      JOBSYNC_TRY(txn_.del(other, x.job_id));
    JOBSYNC_TRY(move_beside(x.job_id, other, home));
  }
  // Before `old`, which may be the known entry, is replaced.
  JOBSYNC_TRY(update_entries(old, &x));
  store_.written().remember(x, std::move(bytes));
  remember_place(x.job_id, home);
  return {};
}

result<void> lmdb_write_view::move_beside(std::string_view job_id, MDB_dbi from,
                                          MDB_dbi to) {
  return each_with_prefix(from, beside_prefix(job_id),
                          [&](cursor& c, std::string_view key,
                              std::string_view value) -> result<void> {
                            // Copied first: writing the other table may spill
                            // the page they are in.
                            std::string k{key}, v{value};
                            JOBSYNC_TRY(txn_.put(to, k, v));
                            return c.del();
                          });
}

result<bool> lmdb_write_view::confirm_job_at(std::string_view job_id,
                                             unix_ms at) {
  auto found = locate(job_id);
  if (!found)
    return found.error();
  if (!*found)
    return false;
  auto [table, raw] = **found;
  if (auto stamped = confirm_job(raw, at)) {
    JOBSYNC_TRY(txn_.put(table, job_id, *stamped));
    return true;
  }
  // A value from before synced_at existed: stored anew, as this version
  // writes it.
  auto x = decoded_job(job_id, raw);
  if (!x)
    return x.error();
  x->synced_at = at;
  JOBSYNC_TRY(put_job(*x));
  return true;
}

result<bool> lmdb_write_view::erase_job(std::string_view job_id) {
  store_.written().forget(job_id);
  auto at = locate(job_id);
  if (!at)
    return at.error();
  if (!*at)
    return false;
  auto table = (*at)->table;
  auto old = decoded_job(job_id, (*at)->raw);
  if (!old)
    return old.error();
  JOBSYNC_TRY(update_entries(&*old, nullptr));
  JOBSYNC_TRY(txn_.del(table, job_id));
  remember_place(job_id, std::nullopt);
  JOBSYNC_TRY(txn_.del(table, logs_key(job_id)));
  JOBSYNC_TRY(txn_.del(t_.logs, job_id));
  JOBSYNC_TRY(txn_.del(t_.images, job_id));
  // Its webhook ids stay until pruned: a delivery retried after the job
  // was deleted is still a duplicate, as it is on PostgreSQL.
  return true;
}

// Kept beside the job, whose leaf the delivery changes anyway, and in
// `claims` by time, for pruning: that table only grows at its end. (Keyed
// by the webhook id alone, every delivery changed a leaf in a random place
// of a table of its own.)
result<bool> lmdb_write_view::claim_webhook(std::string_view job_id,
                                            std::string_view webhook_id,
                                            unix_ms received) {
  // The only writer: no other transaction can claim the id meanwhile.
  auto at = place_of(job_id);
  if (!at)
    return at.error();
  auto seen = has_claim(*at, job_id, webhook_id);
  if (!seen)
    return seen.error();
  if (*seen)
    return false;
  // With the job, or in `live` for a job the delivery creates (its first
  // put moves it along if the job is finished).
  auto home = at->value_or(t_.live);
  JOBSYNC_TRY(noted(txn_.put(home, claim_key(job_id, webhook_id),
                             encode_u64(static_cast<uint64_t>(received)))));
  JOBSYNC_TRY(noted(
      txn_.put(t_.claims, claim_time_key(received, job_id, webhook_id), "")));
  return true;
}

result<size_t> lmdb_write_view::prune_webhooks(unix_ms cutoff) {
  auto removed = prune_legacy_webhooks(cutoff);
  if (!removed)
    return removed;
  auto c = cursor::open(txn_, t_.claims);
  if (!c)
    return c.error();
  // Oldest first: the walk ends at the first claim received since cutoff.
  auto end = created_key(cutoff, "");
  MDB_val key, value;
  for (auto more = c->move(MDB_FIRST, key, value);;
       more = c->move(MDB_NEXT, key, value)) {
    if (!more)
      return more.error();
    if (!*more || as_view(key) >= end)
      break;
    auto claim = claim_of_time_key(as_view(key));
    if (!claim)
      return corrupt("webhook claim", "claims");
    // With its job, wherever that is now, or left by a deleted job.
    auto beside = claim_key(claim->first, claim->second);
    for (auto table : job_tables())
      JOBSYNC_TRY(txn_.del(table, beside));
    JOBSYNC_TRY(c->del());
    ++*removed;
  }
  return removed;
}

// Claims made before schema version 2.
result<size_t> lmdb_write_view::prune_legacy_webhooks(unix_ms cutoff) {
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

result<void> lmdb_write_view::number_events(std::vector<job_changed>& events) {
  if (events.empty())
    return {};
  auto last = last_event_id();
  if (!last)
    return last.error();
  auto id = *last;
  for (auto& e : events)
    e.event_id = ++id;
  return noted(txn_.put(t_.meta, event_id_key, encode_u64(id)));
}

} // namespace

result<std::unique_ptr<lmdb_store>>
lmdb_store::open(const store_options& opts) {
  // Room for more tables than there are: adding one needs no new limit.
  auto env = environment::open(opts.path, opts.map_size_bytes, 16);
  if (!env)
    return env.error();
  if (env->stale_readers_cleared() > 0)
    log::warning("storage", "cleared {} stale LMDB readers",
                 env->stale_readers_cleared());
  std::unique_ptr<lmdb_store> store{new lmdb_store{std::move(*env), opts.path}};
  auto txn = transaction::begin(store->env_, false);
  if (!txn)
    return txn.error();
  auto& t = store->tables_;
  for (auto [dbi, name] : {std::pair{&t.live, "live"},
                           {&t.jobs, "jobs"},
                           {&t.by_created, "by_created"},
                           {&t.by_external, "by_external"},
                           {&t.active, "active"},
                           {&t.webhooks, "webhooks"},
                           {&t.claims, "claims"},
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
  auto stored = *version ? decode_u64(**version) : std::nullopt;
  // Versions 1 and 2 are read as they are and move over as jobs are
  // written: version 1's log tails and webhook ids are in tables of their
  // own, and both keep active jobs in `jobs`. Marked 3 from now on, which a
  // jobsync that knows only 1 or 2 refuses (it would not see `live`).
  if (!*version || stored == uint64_t{1} || stored == uint64_t{2}) {
    JOBSYNC_TRY(txn->put(t.meta, schema_key, encode_u64(lmdb_schema_version)));
  } else if (stored != lmdb_schema_version) {
    return failure{errc::internal,
                   "storage at " + opts.path
                       + " has an unsupported schema version; it was written "
                         "by another jobsync version"};
  }
  JOBSYNC_TRY(txn->commit());
  return store;
}

result<std::unique_ptr<read_view>> lmdb_store::begin_read() const {
  auto txn = transaction::begin(env_, true);
  if (!txn)
    return txn.error();
  return std::unique_ptr<read_view>{
      new lmdb_read_view{std::move(*txn), tables_}};
}

result<std::unique_ptr<write_view>> lmdb_store::begin_write() {
  auto txn = transaction::begin(env_, false);
  if (!txn)
    return txn.error();
  return std::unique_ptr<write_view>{
      new lmdb_write_view{std::move(*txn), tables_, *this}};
}

result<void> lmdb_store::check() const {
  std::lock_guard<std::mutex> guard{mtx_};
  if (full_)
    return *full_;
  return {};
}

void lmdb_store::note_full(std::optional<failure> why) {
  std::lock_guard<std::mutex> guard{mtx_};
  full_ = std::move(why);
}

result<std::unique_ptr<event_feed>>
lmdb_store::follow_events(uint64_t, event_handlers) const {
  return std::unique_ptr<event_feed>{};
}

result<std::unique_ptr<leader_locks>>
lmdb_store::claim_polling(const std::string&) const {
  return std::unique_ptr<leader_locks>{};
}

std::string lmdb_store::describe() const {
  return "LMDB at " + path_;
}

} // namespace jobsync::storage
