#include "storage/pg_store.hpp"

#include "storage/codec.hpp"
#include "storage/pg_catalog.hpp"
#include "storage/pg_event_feed.hpp"
#include "storage/pg_leader_locks.hpp"
#include "storage/pg_schema.hpp"

#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_map>

namespace jobsync::storage {

namespace {

failure corrupt(std::string_view what, std::string_view key) {
  return {errc::internal, "the database holds an unreadable "
                              + std::string{what} + " for '" + std::string{key}
                              + "'"};
}

std::optional<job_status> status_of(std::optional<int64_t> x) {
  if (!x || *x < 0 || *x > static_cast<int64_t>(job_status::cancelled))
    return std::nullopt;
  return static_cast<job_status>(*x);
}

std::optional<job_type> type_of(std::optional<int64_t> x) {
  if (!x || *x < 0 || *x > static_cast<int64_t>(job_type::local))
    return std::nullopt;
  return static_cast<job_type>(*x);
}

// The parameters of insert_job and update_job.
pg::params job_params(const job& x) {
  auto facts = facts_of(x);
  pg::params p;
  p.bytes(x.job_id)
      .int64(facts.created)
      .int16(static_cast<int16_t>(x.status))
      .int16(static_cast<int16_t>(x.type))
      .bytes(x.provider)
      .bytes(x.external_id);
  if (facts.cost_usd)
    p.float8(*facts.cost_usd);
  else
    p.null();
  if (facts.run_ms)
    p.int64(*facts.run_ms);
  else
    p.null();
  p.bytes(encode_job(x));
  if (x.synced_at)
    p.int64(*x.synced_at);
  else
    p.null();
  return p;
}

std::optional<std::string> number_text(std::optional<double> x) {
  if (!x)
    return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", *x);
  return std::string{buf};
}

// The queries, shared by reads and write transactions. Each runs on the
// view's connection; a reused connection that turns out dead at the first
// statement (the server restarted while it was idle) is replaced once, so
// a database that came back serves the next request, not the one after.
template <class Base>
class pg_reader : public Base {
public:
  pg_reader(pg::pool& pool, pg::lease lease)
      : pool_(pool), lease_(std::move(lease)) {}

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

  /// Runs a statement of the catalog.
  result<pg::rows> run(const pg::statement& s, const pg::params& p) const {
    return attempt([&] { return lease_->run(s, p); });
  }

  /// Runs SQL text (transaction control).
  result<pg::rows> exec(const char* sql) const {
    return attempt([&] { return lease_->exec(sql, sql); });
  }

protected:
  // The record `s` finds under `key`, decoded; nullopt when there is none.
  template <class T>
  result<std::optional<T>>
  read_record(const pg::statement& s, std::string_view key,
              std::optional<T> (*decode)(std::string_view),
              std::string_view what) const {
    auto r = run(s, pg::params{}.bytes(key));
    if (!r)
      return r.error();
    if (r->size() == 0)
      return std::optional<T>{};
    auto x = decode(r->bytes(0, 0));
    if (!x)
      return corrupt(what, key);
    return x;
  }

  template <class Statement>
  result<pg::rows> attempt(Statement statement) const {
    auto r = statement();
    if (!r && lease_->broken()) {
      pool_.drop_idle();
      if (first_ && lease_.reused()) {
        if (auto fresh = pool_.fresh()) {
          lease_ = std::move(*fresh);
          r = statement();
        }
      }
    }
    first_ = false;
    return r;
  }

  pg::pool& pool_;
  mutable pg::lease lease_;
  mutable bool first_ = true;
};

template <class Base>
result<std::optional<job>> pg_reader<Base>::get(std::string_view job_id) const {
  return read_record(pg::get_job, job_id, decode_job, "job");
}

template <class Base>
result<std::optional<job_logs>>
pg_reader<Base>::logs(std::string_view job_id) const {
  return read_record(pg::get_logs, job_id, decode_logs, "log record");
}

template <class Base>
result<std::optional<validation_image>>
pg_reader<Base>::image(std::string_view job_id) const {
  return read_record(pg::get_image, job_id, decode_image, "validation image");
}

template <class Base>
result<job_page> pg_reader<Base>::list(const job_filter& filter, size_t limit,
                                       size_t offset) const {
  job_page page;
  auto total = this->count(filter);
  if (!total)
    return total.error();
  page.total = *total;
  if (limit == 0 || offset >= page.total)
    return page;
  // The mask parameter is an integer: sent in text form, which suits any
  // width.
  pg::params q;
  q.text_form(std::to_string(filter.status_mask));
  if (filter.type)
    q.int16(static_cast<int16_t>(*filter.type));
  else
    q.null();
  q.bytes(filter.provider)
      .int64(static_cast<int64_t>(limit))
      .int64(static_cast<int64_t>(offset));
  auto r = run(pg::list_page, q);
  if (!r)
    return r.error();
  page.jobs.reserve(static_cast<size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) {
    auto id = r->bytes(i, 0);
    auto x = decode_rendered_job(id, r->bytes(i, 1));
    if (!x)
      return corrupt("job", id);
    page.jobs.push_back(std::move(*x));
  }
  return page;
}

template <class Base>
result<std::vector<job_tally>> pg_reader<Base>::counters() const {
  auto r = run(pg::get_counters, pg::params{});
  if (!r)
    return r.error();
  std::vector<job_tally> out;
  for (int i = 0; i < r->size(); ++i) {
    auto type = type_of(r->integer(i, 0));
    auto status = status_of(r->integer(i, 1));
    auto n = r->integer(i, 3);
    if (!type || !status || !n || *n < 0)
      return corrupt("counter", r->bytes(i, 2));
    std::optional<std::string> provider;
    if (!r->bytes(i, 2).empty())
      provider = std::string{r->bytes(i, 2)};
    out.push_back(job_tally{*type, *status, std::move(provider),
                            static_cast<uint64_t>(*n)});
  }
  return out;
}

template <class Base>
result<std::vector<job>>
pg_reader<Base>::active(std::string_view provider) const {
  auto r = run(pg::active_jobs, pg::params{}.bytes(provider));
  if (!r)
    return r.error();
  std::vector<job> jobs;
  jobs.reserve(static_cast<size_t>(r->size()));
  for (int i = 0; i < r->size(); ++i) {
    auto x = decode_job(r->bytes(i, 0));
    if (!x)
      return corrupt("job", "active");
    jobs.push_back(std::move(*x));
  }
  return jobs;
}

// Counted by the database from the synced_ms column, which every write
// of a job keeps equal to the synced_at in its value.
template <class Base>
result<std::vector<stale_tally>>
pg_reader<Base>::stale(const staleness_rule& rule, unix_ms now) const {
  // No rule: a cutoff before any time, so that nothing is stale.
  auto cutoff = rule.after_ms > 0 ? now - rule.after_ms
                                  : std::numeric_limits<int64_t>::min();
  auto r = run(pg::stale_jobs, pg::params{}.int64(rule.since).int64(cutoff));
  if (!r)
    return r.error();
  std::vector<stale_tally> out;
  for (int i = 0; i < r->size(); ++i) {
    auto n = r->integer(i, 1);
    if (!n || *n < 0)
      return corrupt("stale count", r->bytes(i, 0));
    out.push_back(
        stale_tally{std::string{r->bytes(i, 0)}, static_cast<uint64_t>(*n)});
  }
  return out;
}

template <class Base>
result<std::optional<std::string>>
pg_reader<Base>::find_external(std::string_view provider,
                               std::string_view external_id) const {
  auto r
      = run(pg::find_external, pg::params{}.bytes(provider).bytes(external_id));
  if (!r)
    return r.error();
  if (r->size() == 0)
    return std::optional<std::string>{};
  return std::optional<std::string>{std::string{r->bytes(0, 0)}};
}

template <class Base>
result<bool> pg_reader<Base>::has_webhook(std::string_view,
                                          std::string_view webhook_id) const {
  auto r = run(pg::has_webhook, pg::params{}.bytes(webhook_id));
  if (!r)
    return r.error();
  return r->size() > 0;
}

template <class Base>
result<std::optional<std::string>>
pg_reader<Base>::setting(std::string_view key) const {
  auto r = run(pg::get_setting, pg::params{}.bytes(key));
  if (!r)
    return r.error();
  if (r->size() == 0)
    return std::optional<std::string>{};
  return std::optional<std::string>{std::string{r->bytes(0, 0)}};
}

template <class Base>
result<uint64_t> pg_reader<Base>::last_event_id() const {
  auto r = run(pg::last_event_id, pg::params{});
  if (!r)
    return r.error();
  auto n = r->size() == 1 ? r->integer(0, 0) : std::nullopt;
  if (!n || *n < 0)
    return corrupt("event counter", "last_event_id");
  return static_cast<uint64_t>(*n);
}

template <class Base>
result<event_backlog> pg_reader<Base>::recent_events(size_t limit) const {
  auto last = last_event_id();
  if (!last)
    return last.error();
  event_backlog out{*last, {}};
  if (limit == 0)
    return out;
  auto r
      = run(pg::recent_events, pg::params{}.int64(static_cast<int64_t>(limit)));
  if (!r)
    return r.error();
  for (int i = r->size() - 1; i >= 0; --i) {
    auto e = pg::event_of(*r, i);
    if (!e)
      return corrupt("event", "jobsync_events");
    // Only events up to the counter read above: a commit in between may
    // have added newer ones, which the feed delivers.
    if (e->event_id <= out.last_event_id)
      out.events.push_back(std::move(*e));
  }
  return out;
}

template <class Base>
result<metrics_report> pg_reader<Base>::metrics(unix_ms since,
                                                int period_days) const {
  auto r = run(pg::job_facts, pg::params{}.int64(since));
  if (!r)
    return r.error();
  metrics_builder builder{period_days};
  for (int i = 0; i < r->size(); ++i) {
    auto created = r->integer(i, 0);
    auto status = status_of(r->integer(i, 1));
    auto type = type_of(r->integer(i, 4));
    if (!created || !status || !type)
      return corrupt("job", "metrics");
    job_facts f;
    f.created = *created;
    f.status = *status;
    f.type = *type;
    f.cost_usd = r->float8(i, 2);
    f.run_ms = r->integer(i, 3);
    builder.add(f);
  }
  return builder.finish();
}

class pg_read_view final : public pg_reader<read_view> {
public:
  using pg_reader::pg_reader;
};

// What the counters know of a stored job.
struct counted {
  job_type type = job_type::cloud;
  job_status status = job_status::pending;
  std::optional<std::string> provider;
};

counted counted_of(const job& x) {
  return {x.type, x.status, x.provider};
}

class pg_write_view final : public pg_reader<write_view> {
public:
  pg_write_view(pg::pool& pool, pg::lease lease, size_t event_retention)
      : pg_reader(pool, std::move(lease)), event_retention_(event_retention) {}

  result<std::optional<job>> get(std::string_view job_id) const override;
  result<std::vector<job_tally>> counters() const override;
  result<void> put(const job& x) override;
  result<bool> confirm(std::string_view job_id, unix_ms at) override;
  result<bool> erase(std::string_view job_id) override;
  result<void> put_logs(std::string_view job_id, const job_logs& x) override;
  result<void> put_image(std::string_view job_id,
                         const validation_image& x) override;
  result<bool> claim_webhook(std::string_view job_id,
                             std::string_view webhook_id,
                             unix_ms received) override;
  result<size_t> prune_webhooks(unix_ms cutoff) override;
  result<void> put_setting(std::string_view key,
                           std::string_view value) override;
  result<void> number_events(std::vector<job_changed>& events) override;
  result<void> commit() override;

  bool conflicted() const override {
    return conflicted_;
  }

  /// Starts the transaction.
  result<void> begin() {
    auto r = noted(exec("BEGIN"));
    if (!r)
      return r.error();
    return {};
  }

private:
  using counter_key = std::tuple<int, int, std::string>;

  // Remembers whether a failure was a lost race with another transaction.
  template <class T>
  T noted(T x) const {
    if (!x)
      conflicted_ = pg::is_conflict(lease_->last_state());
    return x;
  }

  void add_to_counters(const counted& c, int64_t delta) {
    deltas_[{static_cast<int>(c.type), static_cast<int>(c.status),
             c.provider.value_or("")}]
        += delta;
  }

  // The stored attributes of the job, its row locked; nullopt when absent.
  result<std::optional<counted>> lock(std::string_view job_id);

  size_t event_retention_;
  // What this transaction knows of each job it locked or wrote: its
  // counter attributes, or nullopt when it does not exist.
  mutable std::unordered_map<std::string, std::optional<counted>> known_;
  // Counter changes, applied in one statement at commit (the counter rows
  // are hot: every writer touches them, so they are locked last and
  // briefly).
  std::map<counter_key, int64_t> deltas_;
  mutable bool conflicted_ = false;
};

result<std::optional<job>> pg_write_view::get(std::string_view job_id) const {
  auto r = noted(run(pg::lock_job, pg::params{}.bytes(job_id)));
  if (!r)
    return r.error();
  if (r->size() == 0) {
    known_[std::string{job_id}] = std::nullopt;
    return std::optional<job>{};
  }
  auto x = decode_job(r->bytes(0, 0));
  if (!x)
    return corrupt("job", job_id);
  auto type = type_of(r->integer(0, 1));
  auto status = status_of(r->integer(0, 2));
  if (!type || !status)
    return corrupt("job", job_id);
  known_[std::string{job_id}] = counted{*type, *status, r->text(0, 3)};
  return std::optional<job>{std::move(*x)};
}

result<std::optional<counted>> pg_write_view::lock(std::string_view job_id) {
  auto found = known_.find(std::string{job_id});
  if (found != known_.end())
    return found->second;
  auto x = get(job_id);
  if (!x)
    return x.error();
  return known_[std::string{job_id}];
}

result<std::vector<job_tally>> pg_write_view::counters() const {
  auto stored = pg_reader::counters();
  if (!stored)
    return stored;
  std::map<counter_key, int64_t> sums = deltas_;
  for (const auto& t : *stored)
    sums[{static_cast<int>(t.type), static_cast<int>(t.status),
          t.provider.value_or("")}]
        += static_cast<int64_t>(t.count);
  std::vector<job_tally> out;
  for (const auto& [key, n] : sums) {
    if (n <= 0)
      continue;
    const auto& [type, status, provider] = key;
    std::optional<std::string> p;
    if (!provider.empty())
      p = provider;
    out.push_back(job_tally{static_cast<job_type>(type),
                            static_cast<job_status>(status), std::move(p),
                            static_cast<uint64_t>(n)});
  }
  return out;
}

result<void> pg_write_view::put(const job& x) {
  auto old = lock(x.job_id);
  if (!old)
    return old.error();
  // A job another replica creates meanwhile makes the insert fail with a
  // unique violation: a conflict, and the retry merges into its row.
  auto r = noted(run(*old ? pg::update_job : pg::insert_job, job_params(x)));
  if (!r)
    return r.error();
  if (*old)
    add_to_counters(**old, -1);
  add_to_counters(counted_of(x), +1);
  known_[x.job_id] = counted_of(x);
  return {};
}

result<bool> pg_write_view::confirm(std::string_view job_id, unix_ms at) {
  // Locks the row, as any write does (the registry has read it already).
  auto r = noted(run(pg::lock_job, pg::params{}.bytes(job_id)));
  if (!r)
    return r.error();
  if (r->size() == 0)
    return false;
  if (auto stamped = confirm_job(r->bytes(0, 0), at)) {
    auto done = noted(run(
        pg::confirm_job, pg::params{}.bytes(job_id).bytes(*stamped).int64(at)));
    if (!done)
      return done.error();
    return true;
  }
  // A value from before synced_at existed: stored anew, as this version
  // writes it.
  auto x = decode_job(r->bytes(0, 0));
  if (!x)
    return corrupt("job", job_id);
  x->synced_at = at;
  if (auto put_again = put(*x); !put_again)
    return put_again.error();
  return true;
}

result<bool> pg_write_view::erase(std::string_view job_id) {
  auto r = noted(run(pg::delete_job, pg::params{}.bytes(job_id)));
  if (!r)
    return r.error();
  if (r->size() == 0)
    return false;
  auto type = type_of(r->integer(0, 0));
  auto status = status_of(r->integer(0, 1));
  if (!type || !status)
    return corrupt("job", job_id);
  add_to_counters(counted{*type, *status, r->text(0, 2)}, -1);
  known_[std::string{job_id}] = std::nullopt;
  return true;
}

result<void> pg_write_view::put_logs(std::string_view job_id,
                                     const job_logs& x) {
  auto r = noted(
      run(pg::put_logs, pg::params{}.bytes(job_id).bytes(encode_logs(x))));
  if (!r)
    return r.error();
  return {};
}

result<void> pg_write_view::put_image(std::string_view job_id,
                                      const validation_image& x) {
  auto r = noted(
      run(pg::put_image, pg::params{}.bytes(job_id).bytes(encode_image(x))));
  if (!r)
    return r.error();
  return {};
}

// One table of webhook ids for all jobs: a replica's claim waits for
// another's of the same id, which a per-job key would not change.
result<bool> pg_write_view::claim_webhook(std::string_view,
                                          std::string_view webhook_id,
                                          unix_ms received) {
  auto r = noted(
      run(pg::claim_webhook, pg::params{}.bytes(webhook_id).int64(received)));
  if (!r)
    return r.error();
  return r->size() == 1;
}

result<size_t> pg_write_view::prune_webhooks(unix_ms cutoff) {
  auto r = noted(run(pg::prune_webhooks, pg::params{}.int64(cutoff)));
  if (!r)
    return r.error();
  return static_cast<size_t>(r->affected());
}

result<void> pg_write_view::put_setting(std::string_view key,
                                        std::string_view value) {
  auto r = noted(run(pg::put_setting, pg::params{}.bytes(key).bytes(value)));
  if (!r)
    return r.error();
  return {};
}

result<void> pg_write_view::number_events(std::vector<job_changed>& events) {
  if (events.empty())
    return {};
  std::vector<std::optional<std::string>> job_ids, providers, previous,
      statuses, stages, progress;
  for (const auto& e : events) {
    job_ids.emplace_back(e.job_id);
    providers.push_back(e.provider);
    previous.push_back(e.previous ? std::optional{std::to_string(
                           static_cast<int>(*e.previous))}
                                  : std::nullopt);
    statuses.emplace_back(std::to_string(static_cast<int>(e.status)));
    stages.push_back(e.stage);
    progress.push_back(number_text(e.progress));
  }
  auto n = static_cast<int64_t>(events.size());
  pg::params p;
  p.int64(n)
      .text_form(pg::text_array(job_ids))
      .text_form(pg::text_array(providers))
      .text_form(pg::text_array(previous))
      .text_form(pg::text_array(statuses))
      .text_form(pg::text_array(stages))
      .text_form(pg::text_array(progress))
      .int64(static_cast<int64_t>(event_retention_));
  auto r = noted(run(pg::add_events, p));
  if (!r)
    return r.error();
  auto last = r->size() == 1 ? r->integer(0, 0) : std::nullopt;
  if (!last || *last < n)
    return corrupt("event counter", "last_event_id");
  auto id = static_cast<uint64_t>(*last - n);
  for (auto& e : events)
    e.event_id = ++id;
  return {};
}

result<void> pg_write_view::commit() {
  std::vector<std::optional<std::string>> types, statuses, providers, deltas;
  for (const auto& [key, n] : deltas_) {
    if (n == 0)
      continue;
    const auto& [type, status, provider] = key;
    types.emplace_back(std::to_string(type));
    statuses.emplace_back(std::to_string(status));
    providers.emplace_back(provider);
    deltas.emplace_back(std::to_string(n));
  }
  if (!types.empty()) {
    auto r = noted(run(pg::add_counts, pg::params{}
                                           .text_form(pg::text_array(types))
                                           .text_form(pg::text_array(statuses))
                                           .text_form(pg::text_array(providers))
                                           .text_form(pg::text_array(deltas))));
    if (!r)
      return r.error();
  }
  auto r = noted(exec("COMMIT"));
  if (!r)
    return r.error();
  deltas_.clear();
  return {};
}

std::optional<std::string> first_line_of(const std::string& path) {
  std::ifstream in{path};
  std::string line;
  if (!in || !std::getline(in, line))
    return std::nullopt;
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

} // namespace

result<pg::settings> connection_settings(const postgres_options& opts) {
  // Entries before `dbname` are defaults the URL may override; the
  // password file's entry comes after it and wins.
  pg::settings s{{"connect_timeout", "5"},         {"keepalives_idle", "15"},
                 {"keepalives_interval", "5"},     {"keepalives_count", "3"},
                 {"application_name", "jobsyncd"}, {"dbname", opts.url}};
  if (!opts.password_file.empty()) {
    auto password = first_line_of(opts.password_file);
    if (!password)
      return failure{errc::bad_request,
                     "cannot read storage.postgres.password_file "
                         + opts.password_file};
    s.emplace_back("password", *password);
  }
  return s;
}

result<std::unique_ptr<pg_store>> pg_store::open(const postgres_options& opts) {
  auto settings = connection_settings(opts);
  if (!settings)
    return settings.error();
  std::unique_ptr<pg_store> store{
      new pg_store{std::move(*settings), std::max<size_t>(opts.pool_size, 1),
                   opts.event_retention}};
  auto c = store->pool_.fresh();
  if (!c)
    return c.error();
  if (auto migrated = pg::migrate(**c); !migrated)
    return migrated.error();
  auto* raw = (*c)->get();
  std::string host = PQhost(raw) == nullptr ? "" : PQhost(raw);
  store->description_ = "PostgreSQL database '" + std::string{PQdb(raw)}
                        + "' on " + host + ":" + PQport(raw) + " as "
                        + PQuser(raw);
  return store;
}

result<std::unique_ptr<read_view>> pg_store::begin_read() const {
  auto lease = pool_.acquire();
  if (!lease)
    return lease.error();
  return std::unique_ptr<read_view>{new pg_read_view{pool_, std::move(*lease)}};
}

result<std::unique_ptr<write_view>> pg_store::begin_write() {
  auto lease = pool_.acquire();
  if (!lease)
    return lease.error();
  std::unique_ptr<pg_write_view> view{
      new pg_write_view{pool_, std::move(*lease), event_retention_}};
  if (auto begun = view->begin(); !begun)
    return begun.error();
  return std::unique_ptr<write_view>{std::move(view)};
}

result<void> pg_store::check() const {
  auto lease = pool_.acquire();
  if (!lease)
    return lease.error();
  pg_read_view view{pool_, std::move(*lease)};
  auto r = view.exec("SELECT pg_is_in_recovery()");
  if (!r)
    return r.error();
  if (r->size() == 1 && r->bytes(0, 0) == "t")
    return failure{errc::unavailable,
                   "the database is a read-only standby; point "
                   "storage.postgres.url at the primary"};
  return {};
}

result<std::unique_ptr<event_feed>>
pg_store::follow_events(uint64_t after, event_handlers handlers) const {
  return std::unique_ptr<event_feed>{new pg_event_feed{
      pool_.connection_settings(), after, std::move(handlers)}};
}

result<std::unique_ptr<leader_locks>>
pg_store::claim_polling(const std::string& replica) const {
  return std::unique_ptr<leader_locks>{
      new pg_leader_locks{pool_.connection_settings(), replica}};
}

} // namespace jobsync::storage
