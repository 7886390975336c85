#include "actors/reader.hpp"

#include "actors/error.hpp"
#include "storage/stored_preferences.hpp"

#include <chrono>

namespace jobsync {

namespace {

// Runs `query` on a fresh read transaction.
template <class Query>
auto read(const storage::job_store* store, Query query)
    -> decltype(query(std::declval<storage::read_view&>())) {
  auto txn = store->begin_read();
  if (!txn)
    return txn.error();
  return query(**txn);
}

// The same, answered as a CAF reply.
template <class Query>
auto with_read(const storage::job_store* store, Query query)
    -> caf::result<typename std::decay_t<
        decltype(*query(std::declval<storage::read_view&>()))>> {
  auto answer = read(store, query);
  if (!answer)
    return to_error(answer.error());
  return std::move(*answer);
}

result<job> existing(const storage::read_view& txn, const std::string& id) {
  auto found = txn.get(id);
  if (!found)
    return found.error();
  if (!*found)
    return unknown_job(id);
  return std::move(**found);
}

} // namespace

reader_actor::behavior_type
reader(reader_actor::stateful_pointer<reader_state> self,
       const storage::job_store* store) {
  self->state.store = store;
  return {
      [=](get_atom, const job_ref& id) -> caf::result<job> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          return existing(txn, id.value);
        });
      },
      [=](detail_atom, const job_ref& id) -> caf::result<job_detail> {
        return with_read(self->state.store,
                         [&](storage::read_view& txn) -> result<job_detail> {
                           auto x = existing(txn, id.value);
                           if (!x)
                             return x.error();
                           auto logs = txn.logs(id.value);
                           if (!logs)
                             return logs.error();
                           return job_detail{std::move(*x), std::move(*logs)};
                         });
      },
      [=](list_atom, const list_query& q) -> caf::result<job_page> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          return txn.list(q.filter, q.limit, q.offset);
        });
      },
      [=](get_atom, const job_ref& id, const answer_callback<job>& answer) {
        answer.deliver(read(self->state.store, [&](storage::read_view& txn) {
          return existing(txn, id.value);
        }));
      },
      [=](list_atom, const list_query& q,
          const answer_callback<job_page>& answer) {
        answer.deliver(read(self->state.store, [&](storage::read_view& txn) {
          return txn.list(q.filter, q.limit, q.offset);
        }));
      },
      [=](active_atom,
          const provider_name& provider) -> caf::result<std::vector<job>> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          return txn.active(provider.value);
        });
      },
      [=](metrics_atom, int days) -> caf::result<metrics_report> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          auto since = now_ms() - int64_t{days} * 86400000;
          return txn.metrics(since, days);
        });
      },
      [=](counts_atom) -> caf::result<std::vector<job_tally>> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          return txn.counters();
        });
      },
      [=](stale_atom,
          const staleness_rule& rule) -> caf::result<std::vector<stale_tally>> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          return txn.stale(rule, now_ms());
        });
      },
      [=](image_atom, const std::string& id) -> caf::result<validation_image> {
        return with_read(
            self->state.store,
            [&](storage::read_view& txn) -> result<validation_image> {
              auto x = existing(txn, id);
              if (!x)
                return x.error();
              auto found = txn.image(id);
              if (!found)
                return found.error();
              if (!*found)
                return failure{errc::not_found,
                               "No validation image has been reported for "
                               "job "
                                   + id};
              return std::move(**found);
            });
      },
      [=](polling_atom, const std::vector<std::string>& providers)
          -> caf::result<polling_preferences> {
        return with_read(self->state.store, [&](storage::read_view& txn) {
          return storage::read_polling_preferences(txn, providers);
        });
      },
  };
}

} // namespace jobsync
