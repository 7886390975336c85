#include "storage/pg_leader_locks.hpp"

#include "storage/pg_catalog.hpp"

namespace jobsync::storage {

pg_leader_locks::pg_leader_locks(pg::settings s, std::string_view replica)
    : settings_(std::move(s)) {
  // After the URL's entries, so it wins over an application_name there:
  // the other replicas read this replica's name from it.
  settings_.emplace_back("application_name", std::string{replica});
}

int64_t pg_leader_locks::lock_key(std::string_view provider) {
  // FNV-1a, 32 bits: the same on every machine and in every version.
  uint32_t h = 2166136261u;
  for (char c : provider) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  return static_cast<int64_t>(h & 0x7fffffffu);
}

result<std::map<int64_t, pg_leader_locks::holder>> pg_leader_locks::holders() {
  auto r = conn_->run(pg::poll_lock_holders, pg::params{}.int64(lock_class));
  if (!r)
    return r.error();
  std::map<int64_t, holder> out;
  for (int i = 0; i < r->size(); ++i) {
    auto key = r->integer(i, 0);
    if (!key)
      continue;
    out[*key] = holder{r->text(i, 1).value_or(""), r->integer(i, 2) == 1};
  }
  return out;
}

result<std::map<std::string, poll_leadership>>
pg_leader_locks::claim_on_connection(
    const std::vector<std::string>& providers) {
  auto held = holders();
  if (!held)
    return held.error();
  bool tried = false;
  for (const auto& p : providers) {
    if (held->count(lock_key(p)) > 0)
      continue;
    // Nobody holds it: take it (a replica doing the same at this moment may
    // win; the holders read next say who did).
    auto r = conn_->run(pg::try_poll_lock,
                        pg::params{}.int64(lock_class).int64(lock_key(p)));
    if (!r)
      return r.error();
    tried = true;
  }
  if (tried) {
    held = holders();
    if (!held)
      return held.error();
  }
  std::map<std::string, poll_leadership> out;
  for (const auto& p : providers) {
    auto h = held->find(lock_key(p));
    if (h == held->end())
      out[p] = poll_leadership{false, {}};
    else
      out[p] = poll_leadership{h->second.self, h->second.name};
  }
  return out;
}

result<std::map<std::string, poll_leadership>>
pg_leader_locks::claim(const std::vector<std::string>& providers) {
  if (!conn_) {
    auto c = pg::connection::open(settings_);
    if (!c)
      return c.error();
    // The server's own keepalives on this session (its defaults wait two
    // hours): a replica cut off by the network loses its locks within
    // about 30 s, as it notices the loss itself (connection_settings).
    auto keepalives
        = c->exec("SET tcp_keepalives_idle = 15; SET tcp_keepalives_interval "
                  "= 5; SET tcp_keepalives_count = 3",
                  "polling session");
    if (!keepalives)
      return keepalives.error();
    conn_ = std::move(*c);
  }
  auto out = claim_on_connection(providers);
  if (!out)
    // Whatever went wrong, this session may no longer hold what it held:
    // ending it makes sure the server releases the locks, so another
    // replica can take them.
    conn_.reset();
  return out;
}

} // namespace jobsync::storage
