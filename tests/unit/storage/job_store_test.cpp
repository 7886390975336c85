#include "model/job_json.hpp"
#include "model/money.hpp"
#include "storage/codec.hpp"
#include "storage/job_store.hpp"
#include "storage/lmdb.hpp"
#include "storage/lmdb_store.hpp"

#include "tests/support/postgres_server.hpp"
#include "tests/unit/storage/store_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>

using namespace jobsync;
using namespace jobsync::storage;
using test::make_job;

namespace {

struct job_store_fixture : test::store_fixture {
  // Every key in an LMDB table whose key starts with `prefix` (the store
  // must be closed meanwhile).
  std::vector<std::string> keys_in(const char* name,
                                   const std::string& prefix) {
    std::vector<std::string> out;
    with_tables([&](transaction& txn, const table_of& table) {
      auto c = cursor::open(txn, table(name));
      BOOST_REQUIRE(c);
      MDB_val key = as_val(prefix);
      MDB_val value;
      for (auto more = c->move(MDB_SET_RANGE, key, value); more && *more;
           more = c->move(MDB_NEXT, key, value)) {
        auto k = as_view(key);
        if (k.substr(0, prefix.size()) != prefix)
          break;
        out.emplace_back(k);
      }
    });
    return out;
  }

  // Moves a job and what is beside it from `live` to `jobs`, where a
  // version 2 jobsync kept every job (the store must be closed meanwhile).
  void as_version_two_kept(const std::string& job_id) {
    with_tables([&](transaction& txn, const table_of& table) {
      auto c = cursor::open(txn, table("live"));
      BOOST_REQUIRE(c);
      MDB_val key = as_val(job_id);
      MDB_val value;
      for (auto more = c->move(MDB_SET_RANGE, key, value); more && *more;
           more = c->move(MDB_NEXT, key, value)) {
        std::string k{as_view(key)};
        if (k != job_id && k.rfind(job_id + '\0', 0) != 0)
          break;
        std::string v{as_view(value)};
        BOOST_REQUIRE(txn.put(table("jobs"), k, v));
        BOOST_REQUIRE(c->del());
      }
    });
  }

  using table_of = std::function<MDB_dbi(const char*)>;

  // Runs `f` in one LMDB transaction on the store's folder, as another
  // jobsync would (the store must be closed meanwhile), and commits it.
  void
  with_tables(const std::function<void(transaction&, const table_of&)>& f) {
    auto env = environment::open(dir.path(), size_t{64} << 20, 16);
    BOOST_REQUIRE(env);
    auto txn = transaction::begin(*env, false);
    BOOST_REQUIRE(txn);
    f(*txn, [&](const char* name) {
      MDB_dbi dbi = 0;
      BOOST_REQUIRE(mdb_dbi_open(txn->get(), name, 0, &dbi) == 0);
      return dbi;
    });
    BOOST_REQUIRE(txn->commit());
  }

  std::vector<std::string> page_ids(const job_filter& f, size_t limit,
                                    size_t offset) {
    auto page = read()->list(f, limit, offset);
    BOOST_REQUIRE(page);
    std::vector<std::string> ids;
    for (auto& x : page->jobs)
      ids.push_back(x.job_id);
    return ids;
  }
};

// A job value as version 2 wrote it: no flags, no synced_at.
std::string version_two(const job& x) {
  auto r = render_job(x);
  auto json = stored_job_json(r, x);
  std::string out;
  out.push_back('\x02');
  out.push_back(static_cast<char>(r.status));
  out.push_back(static_cast<char>(r.duration.how));
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((r.duration.ms >> shift) & 0xFF));
  auto members = static_cast<uint32_t>(r.members.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((members >> shift) & 0xFF));
  return out + json;
}

job unconfirmed(job x) {
  x.synced_at.reset();
  return x;
}

job_filter status_filter(std::initializer_list<job_status> xs) {
  job_filter f;
  for (auto x : xs)
    f.allow(x);
  return f;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(job_store_suite, job_store_fixture)

BOOST_AUTO_TEST_CASE(a_stored_job_reads_back_equal) {
  auto x = make_job("p1", job_status::running, 1000);
  x.metadata = {{"model", "\"a/b\""}};
  x.cost_usd = 0.25;
  put({x});
  auto got = read()->get("p1");
  BOOST_REQUIRE(got);
  BOOST_REQUIRE(*got);
  BOOST_TEST((**got == x));
  auto missing = read()->get("nope");
  BOOST_REQUIRE(missing);
  BOOST_TEST(!*missing);
}

BOOST_AUTO_TEST_CASE(settings_are_replaced_by_key_and_survive_a_reopen) {
  BOOST_TEST(!*read()->setting("polling/replicate"));
  {
    auto w = write();
    BOOST_REQUIRE(w->put_setting("polling/replicate", R"({"enabled":false})"));
    BOOST_REQUIRE(w->put_setting("polling/", R"({"enabled":null})"));
    // Not visible before the commit.
    BOOST_TEST(!*read()->setting("polling/replicate"));
    BOOST_REQUIRE(w->commit());
  }
  {
    auto w = write();
    BOOST_REQUIRE(w->put_setting("polling/replicate", R"({"enabled":true})"));
    BOOST_REQUIRE(w->commit());
  }
  {
    // Discarded without a commit.
    auto w = write();
    BOOST_REQUIRE(w->put_setting("polling/replicate", "lost"));
  }
  reopen();
  BOOST_TEST(**read()->setting("polling/replicate") == R"({"enabled":true})");
  BOOST_TEST(**read()->setting("polling/") == R"({"enabled":null})");
  // Settings are not jobs: no counter, no page sees them.
  BOOST_TEST(*read()->count({}) == 0u);
  BOOST_TEST(read()->counters()->empty());
}

BOOST_AUTO_TEST_CASE(pages_are_newest_first_with_id_as_tie_breaker) {
  put({make_job("a", job_status::completed, 3000),
       make_job("b", job_status::completed, 1000),
       make_job("c", job_status::completed, 2000),
       make_job("d", job_status::completed, 2000)});
  BOOST_TEST(
      (page_ids({}, 10, 0) == std::vector<std::string>{"a", "d", "c", "b"}));
  BOOST_TEST((page_ids({}, 2, 1) == std::vector<std::string>{"d", "c"}));
  BOOST_TEST(page_ids({}, 2, 4).empty());
}

BOOST_AUTO_TEST_CASE(filters_apply_to_pages_and_totals) {
  put({make_job("r1", job_status::running, 5000),
       make_job("q1", job_status::queued, 4000),
       make_job("c1", job_status::completed, 3000),
       make_job("l1", job_status::running, 2000, std::nullopt),
       make_job("o1", job_status::running, 1000, std::string{"other"})});
  auto running = status_filter({job_status::running});
  BOOST_TEST(
      (page_ids(running, 10, 0) == std::vector<std::string>{"r1", "l1", "o1"}));
  BOOST_TEST(*read()->count(running) == 3u);
  job_filter replicate;
  replicate.provider = "replicate";
  BOOST_TEST(*read()->count(replicate) == 3u);
  job_filter local;
  local.type = job_type::local;
  BOOST_TEST((page_ids(local, 10, 0) == std::vector<std::string>{"l1"}));
  auto several = status_filter({job_status::queued, job_status::completed});
  several.provider = "replicate";
  BOOST_TEST(
      (page_ids(several, 10, 0) == std::vector<std::string>{"q1", "c1"}));
  auto page = read()->list(several, 1, 0);
  BOOST_TEST(page->total == 2u);
  BOOST_TEST(page->jobs.size() == 1u);
}

BOOST_AUTO_TEST_CASE(updates_move_every_index_and_counter) {
  auto x = make_job("p1", job_status::running, 1000);
  put({x});
  BOOST_TEST(read()->active("replicate")->size() == 1u);
  x.status = job_status::completed;
  x.created_at = format_rfc3339(9000);
  put({x});
  BOOST_TEST(read()->active("replicate")->empty());
  BOOST_TEST(*read()->count(status_filter({job_status::running})) == 0u);
  BOOST_TEST(*read()->count(status_filter({job_status::completed})) == 1u);
  BOOST_TEST(*read()->count({}) == 1u);
  put({make_job("p0", job_status::completed, 5000)});
  BOOST_TEST((page_ids({}, 10, 0) == std::vector<std::string>{"p1", "p0"}));
}

BOOST_AUTO_TEST_CASE(the_active_index_lists_one_providers_active_jobs) {
  put({make_job("a", job_status::queued, 1),
       make_job("b", job_status::running, 2),
       make_job("c", job_status::failed, 3),
       make_job("d", job_status::running, 4, std::string{"replicate2"})});
  auto active = read()->active("replicate");
  BOOST_REQUIRE(active);
  std::vector<std::string> ids;
  for (auto& x : *active)
    ids.push_back(x.job_id);
  BOOST_TEST((ids == std::vector<std::string>{"a", "b"}));
  BOOST_TEST(read()->active("replicate2")->size() == 1u);
  BOOST_TEST(read()->active("none")->empty());
}

BOOST_AUTO_TEST_CASE(external_ids_find_their_job) {
  auto x = make_job("local-uuid", job_status::queued, 1);
  x.external_id = "pred-1";
  put({x});
  BOOST_TEST(**read()->find_external("replicate", "pred-1") == "local-uuid");
  BOOST_TEST(!*read()->find_external("replicate", "local-uuid"));
  BOOST_TEST(!*read()->find_external("other", "pred-1"));
  // A job kept under its provider's own id is found by that id.
  put({make_job("pred-2", job_status::queued, 2)});
  BOOST_TEST(!*read()->find_external("replicate", "pred-2"));
  BOOST_TEST(read()->get("pred-2")->has_value());
}

BOOST_AUTO_TEST_CASE(updates_rewrite_only_the_entries_that_change) {
  // Entries whose key stays (the external id through status changes) are
  // left as they are; those whose key moves are moved, not duplicated.
  auto x = make_job("local-1", job_status::queued, 1);
  x.external_id = "pred-1";
  put({x});
  for (auto status :
       {job_status::running, job_status::running, job_status::completed}) {
    x.status = status;
    put({x});
    BOOST_TEST(**read()->find_external("replicate", "pred-1") == "local-1");
    BOOST_TEST(*read()->count({}) == 1u);
  }
  BOOST_TEST(read()->active("replicate")->empty());
  BOOST_TEST(*read()->count(status_filter({job_status::completed})) == 1u);
  x.external_id = "pred-2";
  x.status = job_status::running;
  put({x});
  BOOST_TEST(!*read()->find_external("replicate", "pred-1"));
  BOOST_TEST(**read()->find_external("replicate", "pred-2") == "local-1");
  BOOST_TEST(read()->active("replicate")->size() == 1u);
  BOOST_TEST(*read()->count(status_filter({job_status::completed})) == 0u);
  BOOST_TEST(*read()->count(status_filter({job_status::running})) == 1u);
  x.provider = "replicate2";
  put({x});
  BOOST_TEST(!*read()->find_external("replicate", "pred-2"));
  BOOST_TEST(**read()->find_external("replicate2", "pred-2") == "local-1");
  BOOST_TEST(read()->active("replicate")->empty());
  BOOST_TEST(read()->active("replicate2")->size() == 1u);
  BOOST_TEST((page_ids({}, 10, 0) == std::vector<std::string>{"local-1"}));
}

// The registry reads a job and then writes it in the same transaction;
// the LMDB view moves the index entries from what it read. Reads of other
// jobs and writes in between must not mix them up.
BOOST_AUTO_TEST_CASE(a_put_after_a_read_moves_the_entries_of_what_was_read) {
  put({make_job("a", job_status::running, 1000),
       make_job("b", job_status::running, 2000)});
  {
    auto w = write();
    auto a = **w->get("a");
    a.status = job_status::completed;
    BOOST_REQUIRE(w->put(a));
    auto b = **w->get("b");
    BOOST_TEST(w->get("a")->has_value());
    b.status = job_status::failed;
    b.provider = "replicate2";
    BOOST_REQUIRE(w->put(b));
    a.status = job_status::running;
    BOOST_REQUIRE(w->put(a));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(*read()->count(status_filter({job_status::running})) == 1u);
  BOOST_TEST(*read()->count(status_filter({job_status::failed})) == 1u);
  BOOST_TEST(*read()->count(status_filter({job_status::completed})) == 0u);
  BOOST_TEST(read()->active("replicate")->size() == 1u);
  BOOST_TEST(read()->active("replicate2")->empty());
  BOOST_TEST((page_ids({}, 10, 0) == std::vector<std::string>{"b", "a"}));
}

BOOST_AUTO_TEST_CASE(erase_removes_the_job_and_every_trace) {
  auto x = make_job("p1", job_status::running, 1000);
  put({x});
  {
    auto w = write();
    job_logs logs;
    logs.tail = "hello";
    BOOST_REQUIRE(w->put_logs("p1", logs));
    BOOST_TEST(*w->erase("p1"));
    BOOST_TEST(!*w->erase("p1"));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*read()->get("p1"));
  BOOST_TEST(!*read()->logs("p1"));
  BOOST_TEST(read()->active("replicate")->empty());
  BOOST_TEST(!*read()->find_external("replicate", "p1"));
  BOOST_TEST(*read()->count({}) == 0u);
  BOOST_TEST(page_ids({}, 10, 0).empty());
}

BOOST_AUTO_TEST_CASE(a_validation_image_is_kept_apart_and_erased_with_its_job) {
  put({make_job("l1", job_status::running, 1000)});
  validation_image img{{std::string{"\x89PNG\r\n\x1a\n\0\xff", 10}, "\"tag\""},
                       1234};
  {
    auto w = write();
    BOOST_REQUIRE(w->put_image("l1", img));
    BOOST_REQUIRE(w->commit());
  }
  reopen();
  auto got = *read()->image("l1");
  BOOST_REQUIRE(got);
  BOOST_TEST(got->image.bytes == img.image.bytes);
  BOOST_TEST(got->image.etag == img.image.etag);
  BOOST_TEST(got->received == 1234);
  BOOST_TEST(!*read()->image("other"));
  {
    auto w = write();
    BOOST_TEST(*w->erase("l1"));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*read()->image("l1"));
}

BOOST_AUTO_TEST_CASE(uncommitted_writes_are_invisible_and_discarded) {
  {
    auto w = write();
    BOOST_REQUIRE(w->put(make_job("p1", job_status::queued, 1)));
    auto r = read();
    BOOST_TEST(!*r->get("p1"));
  }
  BOOST_TEST(!*read()->get("p1"));
}

BOOST_AUTO_TEST_CASE(webhook_ids_are_remembered_and_pruned) {
  {
    auto w = write();
    BOOST_TEST(*w->claim_webhook("p1", "msg_old", 1000));
    BOOST_TEST(*w->claim_webhook("p1", "msg_new", 5000));
    // The same id again, in the same transaction: already claimed.
    BOOST_TEST(!*w->claim_webhook("p1", "msg_new", 6000));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*write()->claim_webhook("p1", "msg_old", 7000));
  BOOST_TEST(*read()->has_webhook("p1", "msg_old"));
  {
    auto w = write();
    BOOST_TEST(*w->prune_webhooks(3000) == 1u);
    BOOST_TEST(*w->prune_webhooks(3000) == 0u);
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*read()->has_webhook("p1", "msg_old"));
  BOOST_TEST(*read()->has_webhook("p1", "msg_new"));
  // Pruned, an id is new again.
  BOOST_TEST(*write()->claim_webhook("p1", "msg_old", 8000));
}

// LMDB keeps a job's log tail and webhook ids beside the job, under keys
// that extend its id: they must stay apart from a job whose id extends it;
// the tail goes with its job.
BOOST_AUTO_TEST_CASE(records_beside_a_job_stay_its_own) {
  put({make_job("p1", job_status::completed, 1000),
       make_job("p10", job_status::completed, 2000)});
  {
    auto w = write();
    for (std::string id : {"p1", "p10"}) {
      job_logs logs;
      logs.tail = "tail of " + id;
      BOOST_REQUIRE(w->put_logs(id, logs));
      BOOST_TEST(*w->claim_webhook(id, "msg_a_" + id, 1000));
      BOOST_TEST(*w->claim_webhook(id, "msg_b_" + id, 9000));
    }
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(read()->logs("p1")->value().tail == "tail of p1");
  BOOST_TEST(read()->logs("p10")->value().tail == "tail of p10");
  BOOST_TEST(*read()->count({}) == 2u);
  BOOST_TEST(page_ids({}, 10, 0) == (std::vector<std::string>{"p10", "p1"}));
  {
    auto w = write();
    BOOST_TEST(*w->erase("p1"));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*read()->logs("p1"));
  BOOST_TEST(read()->logs("p10")->value().tail == "tail of p10");
  BOOST_TEST(*read()->has_webhook("p10", "msg_a_p10"));
  BOOST_TEST(*read()->has_webhook("p10", "msg_b_p10"));
  // A deleted job's webhook ids stay until pruned: a retried delivery is
  // still a duplicate.
  BOOST_TEST(*read()->has_webhook("p1", "msg_a_p1"));
  {
    auto w = write();
    BOOST_TEST(*w->prune_webhooks(5000) == 2u);
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*read()->has_webhook("p1", "msg_a_p1"));
  BOOST_TEST(*read()->has_webhook("p1", "msg_b_p1"));
  BOOST_TEST(!*read()->has_webhook("p10", "msg_a_p10"));
  BOOST_TEST(*read()->has_webhook("p10", "msg_b_p10"));
  BOOST_TEST(read()->get("p10")->has_value());
}

// A data folder of schema version 1 kept log tails and webhook ids in
// tables of their own: it opens, reads them there, and moves each tail
// beside its job when the next one is stored.
BOOST_AUTO_TEST_CASE(a_version_one_folder_is_read_and_moves_over,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  put({make_job("old", job_status::running, 1000)});
  store.reset();
  as_version_two_kept("old");
  with_tables([](transaction& txn, const table_of& table) {
    BOOST_REQUIRE(txn.put(table("meta"), "schema_version", encode_u64(1)));
    job_logs tail;
    tail.tail = "written by version 1";
    BOOST_REQUIRE(txn.put(table("logs"), "old", encode_logs(tail)));
    BOOST_REQUIRE(txn.put(table("webhooks"), "msg_legacy", encode_u64(1000)));
  });
  reopen();
  BOOST_TEST(read()->logs("old")->value().tail == "written by version 1");
  BOOST_TEST(*read()->has_webhook("old", "msg_legacy"));
  {
    auto w = write();
    BOOST_TEST(!*w->claim_webhook("old", "msg_legacy", 2000));
    job_logs tail;
    tail.tail = "written by version 2";
    BOOST_REQUIRE(w->put_logs("old", tail));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(read()->logs("old")->value().tail == "written by version 2");
  {
    auto w = write();
    BOOST_TEST(*w->prune_webhooks(5000) == 1u);
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(!*read()->has_webhook("old", "msg_legacy"));
  store.reset();
  with_tables([](transaction& txn, const table_of& table) {
    auto version
        = decode_u64(txn.get(table("meta"), "schema_version")->value());
    BOOST_REQUIRE(version);
    BOOST_TEST(*version == 3u);
    // The old tail left its table when the new one was stored.
    BOOST_TEST(!txn.get(table("logs"), "old")->has_value());
  });
}

// An active job is kept in `live` with its tail and webhook ids, and moves
// to `jobs` with them once finished; a job that arrives finished takes
// along what was stored for it first.
BOOST_AUTO_TEST_CASE(a_job_moves_with_what_is_beside_it_when_it_finishes,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  {
    auto w = write();
    BOOST_TEST(*w->claim_webhook("run", "msg_1", 1000));
    BOOST_REQUIRE(w->put(make_job("run", job_status::running, 1000)));
    job_logs tail;
    tail.tail = "step 1";
    BOOST_REQUIRE(w->put_logs("run", tail));
    BOOST_TEST(*w->claim_webhook("done", "msg_2", 1000));
    BOOST_REQUIRE(w->put(make_job("done", job_status::completed, 2000)));
    BOOST_REQUIRE(w->put(make_job("run0", job_status::running, 3000)));
    BOOST_REQUIRE(w->commit());
  }
  store.reset();
  BOOST_TEST(keys_in("live", "run").size() == 4u); // run, its tail and id, run0
  BOOST_TEST(keys_in("jobs", "done").size() == 2u);
  BOOST_TEST(keys_in("live", "done").empty());
  reopen();
  BOOST_TEST(page_ids({}, 10, 0)
             == (std::vector<std::string>{"run0", "done", "run"}));
  BOOST_TEST(read()->active("replicate")->size() == 2u);
  {
    auto w = write();
    BOOST_TEST(!*w->claim_webhook("run", "msg_1", 2000));
    BOOST_TEST(*w->claim_webhook("run", "msg_3", 2000));
    BOOST_REQUIRE(w->put(make_job("run", job_status::completed, 1000)));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(read()->logs("run")->value().tail == "step 1");
  BOOST_TEST(*read()->has_webhook("run", "msg_1"));
  BOOST_TEST(*read()->has_webhook("run", "msg_3"));
  BOOST_TEST(read()->active("replicate")->size() == 1u);
  BOOST_TEST(page_ids({}, 10, 0)
             == (std::vector<std::string>{"run0", "done", "run"}));
  {
    auto w = write();
    BOOST_TEST(*w->prune_webhooks(1500) == 2u); // msg_1, msg_2
    BOOST_REQUIRE(w->commit());
  }
  store.reset();
  BOOST_TEST((keys_in("live", "run") == std::vector<std::string>{"run0"}));
  BOOST_TEST(keys_in("jobs", "run").size() == 3u); // run, its tail, msg_3
  BOOST_TEST(keys_in("jobs", "done").size() == 1u);
}

// A delivery looks its job up again and again in one transaction (its
// webhook id, the job, the put, the log tail) while its writes move it:
// each write lands where the job is at that moment.
BOOST_AUTO_TEST_CASE(writes_follow_a_job_that_moves_within_one_transaction,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  {
    auto w = write();
    BOOST_TEST(*w->claim_webhook("j", "msg_1", 1000));
    BOOST_TEST(!*w->get("j"));
    BOOST_REQUIRE(w->put(make_job("j", job_status::running, 1000)));
    job_logs tail;
    tail.tail = "running";
    BOOST_REQUIRE(w->put_logs("j", tail));
    BOOST_REQUIRE(w->put(make_job("j", job_status::completed, 1000)));
    tail.tail = "finished";
    BOOST_REQUIRE(w->put_logs("j", tail));
    BOOST_TEST(*w->claim_webhook("j", "msg_2", 1000));
    BOOST_TEST(!*w->claim_webhook("j", "msg_1", 1000));
    BOOST_TEST(w->logs("j")->value().tail == "finished");
    BOOST_REQUIRE(w->put(make_job("k", job_status::running, 2000)));
    BOOST_REQUIRE(w->put_logs("k", tail));
    BOOST_TEST(*w->erase("k"));
    BOOST_TEST(!*w->get("k"));
    BOOST_TEST(!*w->logs("k"));
    BOOST_REQUIRE(w->put(make_job("k", job_status::running, 3000)));
    BOOST_TEST(w->get("k")->has_value());
    BOOST_REQUIRE(w->commit());
  }
  store.reset();
  BOOST_TEST((keys_in("live", "k") == std::vector<std::string>{"k"}));
  BOOST_TEST(keys_in("live", "j").empty());
  BOOST_TEST(keys_in("jobs", "j").size() == 4u); // j, its tail, two ids
  reopen();
  BOOST_TEST(read()->logs("j")->value().tail == "finished");
  BOOST_TEST(*read()->has_webhook("j", "msg_1"));
  BOOST_TEST(*read()->has_webhook("j", "msg_2"));
  BOOST_TEST(!*read()->logs("k"));
}

// A version 2 folder kept active jobs in `jobs`: they are read there, and
// an active job written again moves to `live` with what is beside it.
BOOST_AUTO_TEST_CASE(a_version_two_folder_is_read_and_moves_over,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  {
    auto w = write();
    BOOST_REQUIRE(w->put(make_job("old", job_status::running, 1000)));
    job_logs tail;
    tail.tail = "written by version 2";
    BOOST_REQUIRE(w->put_logs("old", tail));
    BOOST_TEST(*w->claim_webhook("old", "msg_old", 1000));
    BOOST_REQUIRE(w->commit());
  }
  store.reset();
  as_version_two_kept("old");
  with_tables([](transaction& txn, const table_of& table) {
    BOOST_REQUIRE(txn.put(table("meta"), "schema_version", encode_u64(2)));
    // Version 2 indexed every job's provider id, its own too.
    BOOST_REQUIRE(
        txn.put(table("by_external"), provider_key("replicate", "old"), "old"));
  });
  BOOST_TEST(keys_in("live", "old").empty());
  reopen();
  BOOST_TEST(!*read()->find_external("replicate", "old"));
  BOOST_TEST(read()->get("old")->has_value());
  BOOST_TEST(read()->logs("old")->value().tail == "written by version 2");
  BOOST_TEST(*read()->has_webhook("old", "msg_old"));
  BOOST_TEST(read()->active("replicate")->size() == 1u);
  BOOST_TEST(page_ids({}, 10, 0) == (std::vector<std::string>{"old"}));
  {
    auto w = write();
    BOOST_TEST(!*w->claim_webhook("old", "msg_old", 2000));
    auto x = make_job("old", job_status::running, 1000);
    x.provider_status = "processing";
    BOOST_REQUIRE(w->put(x));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST(*(*read()->get("old"))->provider_status == "processing");
  store.reset();
  BOOST_TEST(keys_in("live", "old").size() == 3u);
  BOOST_TEST(keys_in("jobs", "old").empty());
  with_tables([](transaction& txn, const table_of& table) {
    auto version
        = decode_u64(txn.get(table("meta"), "schema_version")->value());
    BOOST_REQUIRE(version);
    BOOST_TEST(*version == 3u);
  });
}

// A folder written by a later jobsync is refused, not misread.
BOOST_AUTO_TEST_CASE(a_later_schema_version_is_refused,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  store.reset();
  with_tables([](transaction& txn, const table_of& table) {
    BOOST_REQUIRE(txn.put(table("meta"), "schema_version",
                          encode_u64(lmdb_schema_version + 1)));
  });
  auto opened = job_store::open(options);
  BOOST_REQUIRE(!opened);
  BOOST_TEST(opened.error().detail.find("unsupported schema version")
             != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_restart_finds_everything_again) {
  std::vector<job> jobs;
  for (int i = 0; i < 500; ++i)
    jobs.push_back(make_job(
        "job-" + std::to_string(i),
        i % 3 == 0 ? job_status::running : job_status::completed, 1000 + i));
  put(jobs);
  std::vector<job_changed> events(42);
  {
    auto w = write();
    BOOST_REQUIRE(w->number_events(events));
    job_logs logs;
    logs.tail = "Step 1/2";
    logs.total_bytes = 8;
    BOOST_REQUIRE(w->put_logs("job-3", logs));
    BOOST_REQUIRE(w->commit());
  }
  reopen();
  BOOST_TEST(*read()->count({}) == 500u);
  BOOST_TEST(*read()->count(status_filter({job_status::running})) == 167u);
  BOOST_TEST(read()->active("replicate")->size() == 167u);
  BOOST_TEST(*read()->last_event_id() == 42u);
  BOOST_TEST((*read()->logs("job-3"))->tail == "Step 1/2");
  for (const auto& x : jobs)
    BOOST_TEST((**read()->get(x.job_id) == x));
  BOOST_TEST(page_ids({}, 1, 0).front() == "job-499");
}

BOOST_AUTO_TEST_CASE(a_full_map_is_a_clear_error_and_loses_nothing,
                     *boost::unit_test::precondition(test::lmdb_only{})) {
  options.map_size_bytes = size_t{1} << 20; // 1 MiB
  reopen();
  put({make_job("kept", job_status::completed, 1)});
  auto w = write();
  std::optional<failure> failed;
  for (int i = 0; i < 100000 && !failed; ++i) {
    auto x = make_job("filler-" + std::to_string(i), job_status::completed, i);
    x.error_message = std::string(200, 'x');
    if (auto put = w->put(x); !put)
      failed = put.error();
  }
  BOOST_REQUIRE(failed);
  BOOST_TEST((failed->code == errc::unavailable));
  BOOST_TEST(failed->detail.find("storage.map_size_mb") != std::string::npos,
             failed->detail);
  BOOST_TEST(!store->check());
  // The failed transaction is abandoned; what was committed stays.
  w.reset();
  reopen();
  BOOST_TEST(*read()->count({}) == 1u);
  BOOST_TEST(read()->get("kept")->has_value());
}

// One process on its own folder always polls; replicas sharing a database
// claim each provider (postgres_test.cpp).
BOOST_AUTO_TEST_CASE(only_a_shared_store_elects_who_polls) {
  auto locks = store->claim_polling("r1");
  BOOST_REQUIRE(locks);
  BOOST_TEST((*locks != nullptr)
             == (test::test_backend() == storage::backend::postgres));
}

BOOST_AUTO_TEST_CASE(metrics_count_jobs_of_the_period) {
  const unix_ms day = 86400000;
  const unix_ms t0 = *parse_rfc3339("2026-11-01T12:00:00Z");
  auto done = make_job("done", job_status::completed, t0);
  done.started_at = format_rfc3339(t0 + 1000);
  done.completed_at = format_rfc3339(t0 + 61000);
  done.cost_usd = 1.5;
  auto failed = make_job("failed", job_status::failed, t0 + day);
  failed.cost_usd = 0.5;
  auto old = make_job("old", job_status::completed, t0 - 40 * day);
  old.cost_usd = 100;
  put({done, failed, make_job("run", job_status::running, t0 + day), old});
  auto m = read()->metrics(t0 - 1000, 30);
  BOOST_REQUIRE(m);
  BOOST_TEST(m->job_count == 3u);
  BOOST_TEST(m->total_cost == 2.0);
  BOOST_TEST(*m->avg_job_duration_seconds == 60.0);
  BOOST_TEST(m->jobs_by_status[static_cast<size_t>(job_status::running)] == 1u);
  BOOST_REQUIRE(m->cost_by_day.size() == 2u);
  BOOST_TEST(m->cost_by_day[0].date == "2026-11-01");
  BOOST_TEST(m->cost_by_day[0].completed == 1u);
  BOOST_TEST(m->cost_by_day[1].total_jobs == 2u);
  BOOST_TEST(m->cost_by_day[1].failed == 1u);
  BOOST_TEST(m->cost_by_day[1].total_cost_usd == 0.5);
}

BOOST_AUTO_TEST_CASE(a_confirmation_moves_synced_at_and_nothing_else) {
  auto x = make_job("c", job_status::running, 1000);
  x.cost_usd = 1.5;
  put({x});
  {
    auto w = write();
    auto done = w->confirm("c", 42'000);
    BOOST_REQUIRE(done);
    BOOST_TEST(*done);
    auto missing = w->confirm("nope", 42'000);
    BOOST_REQUIRE(missing);
    BOOST_TEST(!*missing);
    BOOST_REQUIRE(w->commit());
  }
  auto want = x;
  want.synced_at = 42'000;
  auto got = read()->get("c");
  BOOST_REQUIRE(got);
  BOOST_REQUIRE(*got);
  BOOST_TEST((**got == want));
  BOOST_TEST((page_ids({}, 10, 0) == std::vector<std::string>{"c"}));
  auto active = read()->active("replicate");
  BOOST_REQUIRE(active);
  BOOST_TEST(active->size() == 1u);
}

BOOST_AUTO_TEST_CASE(stale_counts_follow_the_rule_per_provider) {
  auto confirmed_at = [](job x, std::optional<unix_ms> at) {
    x.synced_at = at;
    return x;
  };
  auto never_sent = make_job("local-ish", job_status::pending, 1);
  never_sent.external_id.clear();
  auto other = make_job("o", job_status::queued, 1, std::string{"other"});
  put({confirmed_at(make_job("fresh", job_status::running, 1), 9'500),
       confirmed_at(make_job("old", job_status::running, 1), 5'000),
       make_job("never", job_status::queued, 1), never_sent,
       confirmed_at(make_job("done", job_status::completed, 1), 0),
       confirmed_at(other, 9'900)});
  // Stale after 2 s unconfirmed; jobs never confirmed count from `since`.
  auto at = [&](unix_ms now, unix_ms since) {
    auto t = read()->stale(staleness_rule{2000, since}, now);
    BOOST_REQUIRE(t);
    std::map<std::string, uint64_t> out;
    for (const auto& x : *t)
      out[x.provider] = x.count;
    return out;
  };
  using counts = std::map<std::string, uint64_t>;
  BOOST_TEST((at(10'000, 8'500) == counts{{"other", 0}, {"replicate", 1}}));
  BOOST_TEST((at(10'000, 5'000) == counts{{"other", 0}, {"replicate", 2}}));
  BOOST_TEST((at(12'000, 8'500) == counts{{"other", 1}, {"replicate", 3}}));
  auto off = read()->stale(staleness_rule{0, 0}, 1'000'000);
  BOOST_REQUIRE(off);
  for (const auto& x : *off)
    BOOST_TEST(x.count == 0u, x.provider);
}

BOOST_AUTO_TEST_CASE(
    a_value_from_before_synced_at_is_stored_anew_when_confirmed) {
  auto x = make_job("v2", job_status::running, 1000);
  put({x});
  store.reset();
  test::overwrite_stored_job(options, "v2", version_two(x));
  reopen();
  auto got = read()->get("v2");
  BOOST_REQUIRE(got);
  BOOST_REQUIRE(*got);
  BOOST_TEST(!(*got)->synced_at);
  // Stale from the rule's start: it was never confirmed.
  auto before = read()->stale(staleness_rule{1000, 50'000}, 77'000);
  BOOST_REQUIRE(before);
  BOOST_REQUIRE(before->size() == 1u);
  BOOST_TEST(before->front().count == 1u);
  auto w = write();
  BOOST_REQUIRE(w->confirm("v2", 77'000));
  BOOST_REQUIRE(w->commit());
  auto again = read()->get("v2");
  BOOST_REQUIRE(again);
  BOOST_REQUIRE(*again);
  BOOST_TEST(((*again)->synced_at == std::optional<unix_ms>{77'000}));
  auto page = read()->list({}, 10, 0);
  BOOST_REQUIRE(page);
  BOOST_REQUIRE(page->jobs.size() == 1u);
  BOOST_TEST(page->jobs[0].reached_provider);
  BOOST_TEST((page->jobs[0].synced_at == std::optional<unix_ms>{77'000}));
  auto after = read()->stale(staleness_rule{1000, 50'000}, 77'500);
  BOOST_REQUIRE(after);
  BOOST_REQUIRE(after->size() == 1u);
  BOOST_TEST(after->front().count == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(codec)

BOOST_AUTO_TEST_CASE(a_foreign_version_byte_is_refused) {
  auto bytes = encode_job(make_job("x", job_status::queued, 5));
  BOOST_TEST(decode_job(bytes).has_value());
  for (char foreign : {'\x00', '\x04'}) {
    bytes[0] = foreign;
    BOOST_TEST(!decode_job(bytes));
    BOOST_TEST(!decode_rendered_job("x", bytes));
    BOOST_TEST(!decode_job_freshness(bytes));
  }
  BOOST_TEST(!decode_job(""));
  BOOST_TEST(!decode_rendered_job("x", ""));
}

// What GET /api/cloud/jobs writes for a stored job, at `now`, when jobs go
// stale after a second unconfirmed.
std::string api_text(const rendered_job& r, unix_ms now) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write_job(w, r, now, staleness_rule{1000, 0});
  return buf.GetString();
}

std::vector<job> jobs_of_every_shape() {
  std::vector<job> out;
  auto base = make_job("odd \"id\"/\u00e9", job_status::running, 1000);
  base.external_id = "ext \"quoted\" \\ ,\"external_id\":\"x";
  base.metadata = {{"model", "\"a/b\""}, {"urls", "{\"get\":\"u\"}"}};
  // (Money is stored as the API writes it, to a millionth of a dollar.)
  base.cost_usd = 0.097222;
  base.started_at = "2026-11-01T10:00:00.5Z";
  out.push_back(base); // running: counts to now
  auto done = base;
  done.status = job_status::completed;
  done.completed_at = "2026-11-01T10:30:00.25Z";
  out.push_back(done); // fixed run
  auto no_end = base;
  no_end.status = job_status::failed;
  out.push_back(no_end); // finished without an end: unknown
  auto bad = done;
  bad.completed_at = "yesterday";
  out.push_back(bad); // unparsable: unknown
  auto backwards = done;
  backwards.completed_at = "2026-11-01T09:00:00Z";
  out.push_back(backwards); // end before start: zero
  out.push_back(make_job("bare", job_status::pending, 5, std::nullopt));
  auto confirmed = base;
  confirmed.synced_at = *parse_rfc3339("2026-11-01T10:00:06.5Z");
  out.push_back(confirmed); // stale at 10:00:07.5 and later
  auto never_sent = confirmed;
  never_sent.external_id.clear();
  out.push_back(never_sent); // never reached the provider: never stale
  auto confirmed_done = done;
  confirmed_done.synced_at = 0;
  out.push_back(confirmed_done); // terminal: never stale
  return out;
}

BOOST_AUTO_TEST_CASE(a_stored_job_renders_as_the_job_itself) {
  for (const auto& x : jobs_of_every_shape()) {
    auto bytes = encode_job(x);
    auto back = decode_job(bytes);
    BOOST_REQUIRE(back);
    BOOST_TEST((*back == x));
    auto r = decode_rendered_job(x.job_id, bytes);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->job_id == x.job_id);
    BOOST_TEST((r->synced_at == x.synced_at));
    BOOST_TEST(r->reached_provider == !x.external_id.empty());
    for (unix_ms now : {unix_ms{0}, *parse_rfc3339("2026-11-01T10:00:07Z"),
                        *parse_rfc3339("2026-11-01T10:00:08Z")})
      BOOST_TEST(api_text(*r, now) == api_text(render_job(x), now),
                 x.job_id << " at " << now);
    auto f = decode_job_freshness(bytes);
    BOOST_REQUIRE(f);
    BOOST_TEST((f->status == x.status));
    BOOST_TEST((f->synced_at == x.synced_at));
    BOOST_TEST(f->reached_provider == !x.external_id.empty());
  }
}

BOOST_AUTO_TEST_CASE(synced_at_and_stale_are_derived_when_read) {
  auto x = make_job("r", job_status::running, 1000);
  x.synced_at = *parse_rfc3339("2026-11-01T10:00:00Z");
  auto r = decode_rendered_job("r", encode_job(x));
  BOOST_REQUIRE(r);
  auto fresh = api_text(*r, *parse_rfc3339("2026-11-01T10:00:01Z"));
  BOOST_TEST(fresh.find(",\"synced_at\":\"2026-11-01T10:00:00.000Z\","
                        "\"stale\":false}")
                 != std::string::npos,
             fresh);
  auto later = api_text(*r, *parse_rfc3339("2026-11-01T10:00:01.001Z"));
  BOOST_TEST(later.find("\"stale\":true}") != std::string::npos, later);
}

BOOST_AUTO_TEST_CASE(a_confirmation_changes_only_synced_at) {
  for (const auto& x : jobs_of_every_shape()) {
    auto bytes = encode_job(x);
    auto at = *parse_rfc3339("2026-11-02T08:00:00.25Z");
    auto stamped = confirm_job(bytes, at);
    BOOST_REQUIRE(stamped);
    auto want = x;
    want.synced_at = at;
    BOOST_TEST((*stamped == encode_job(want)), x.job_id);
    auto back = decode_job(*stamped);
    BOOST_REQUIRE(back);
    BOOST_TEST((*back == want));
  }
  // Older values are not patched: the store writes them anew.
  auto x = jobs_of_every_shape().front();
  BOOST_TEST(!confirm_job(version_two(x), 5));
  BOOST_TEST(!confirm_job("\x01{}", 5));
}

BOOST_AUTO_TEST_CASE(version_two_values_read_back_without_synced_at) {
  for (const auto& x : jobs_of_every_shape()) {
    auto v2 = version_two(x);
    auto back = decode_job(v2);
    BOOST_REQUIRE(back);
    BOOST_TEST((*back == unconfirmed(x)), x.job_id);
    auto r = decode_rendered_job(x.job_id, v2);
    BOOST_REQUIRE(r);
    BOOST_TEST(r->reached_provider == !x.external_id.empty(), x.job_id);
    for (unix_ms now : {unix_ms{0}, *parse_rfc3339("2026-11-01T10:00:07Z")})
      BOOST_TEST(api_text(*r, now) == api_text(render_job(unconfirmed(x)), now),
                 x.job_id);
    auto f = decode_job_freshness(v2);
    BOOST_REQUIRE(f);
    BOOST_TEST(!f->synced_at);
    BOOST_TEST(f->reached_provider == !x.external_id.empty());
  }
}

BOOST_AUTO_TEST_CASE(image_values_round_trip_and_damage_is_refused) {
  validation_image img{{"\x89PNG-bytes", "\"0123\""}, 99};
  auto bytes = encode_image(img);
  auto back = decode_image(bytes);
  BOOST_REQUIRE(back);
  BOOST_TEST(back->image.bytes == img.image.bytes);
  BOOST_TEST(back->image.etag == img.image.etag);
  BOOST_TEST(back->received == 99);
  BOOST_TEST(!decode_image(""));
  BOOST_TEST(!decode_image(bytes.substr(0, 9)));
  // The tag's length says more than there is.
  BOOST_TEST(!decode_image(bytes.substr(0, 12)));
  bytes[0] = 7;
  BOOST_TEST(!decode_image(bytes));
}

BOOST_AUTO_TEST_CASE(trainer_figures_of_a_log_record_round_trip) {
  job_logs x;
  x.tail = "line\n";
  x.total_bytes = 5;
  x.updated_at = 7;
  x.progress.stage = "Training";
  x.progress.progress = 30.0;
  x.progress.step = 3;
  x.progress.total_steps = 10;
  x.progress.eta_seconds = 10.5;
  x.progress.loss = 0.1234;
  x.progress.learning_rate = 0.0001;
  auto back = decode_logs(encode_logs(x));
  BOOST_REQUIRE(back);
  BOOST_TEST((*back == x));
  // Records without them (cloud jobs) stay as they were.
  job_logs cloud;
  cloud.tail = "Step 1/2";
  BOOST_TEST(encode_logs(cloud).find("eta_seconds") == std::string::npos);
  BOOST_TEST((*decode_logs(encode_logs(cloud)) == cloud));
}

BOOST_AUTO_TEST_CASE(version_one_values_are_still_read) {
  for (const auto& x : jobs_of_every_shape()) {
    auto v1 = std::string(1, '\x01') + stored_job_json(render_job(x), x);
    auto back = decode_job(v1);
    BOOST_REQUIRE(back);
    BOOST_TEST((*back == unconfirmed(x)));
    auto r = decode_rendered_job(x.job_id, v1);
    BOOST_REQUIRE(r);
    BOOST_TEST(api_text(*r, 7) == api_text(render_job(unconfirmed(x)), 7));
    BOOST_TEST(decode_job_freshness(v1).has_value());
  }
}

BOOST_AUTO_TEST_CASE(a_damaged_header_is_refused) {
  auto bytes = encode_job(jobs_of_every_shape().front());
  for (size_t cut : {size_t{1}, size_t{10}, size_t{15}, size_t{23}, size_t{24}})
    BOOST_TEST(!decode_rendered_job("x", bytes.substr(0, cut)), cut);
  auto bad_status = bytes;
  bad_status[1] = 9;
  BOOST_TEST(!decode_rendered_job("x", bad_status));
  auto bad_kind = bytes;
  bad_kind[2] = 7;
  BOOST_TEST(!decode_rendered_job("x", bad_kind));
  auto too_long = bytes;
  too_long[20] = '\x7f';
  BOOST_TEST(!decode_rendered_job("x", too_long));
  BOOST_TEST(!decode_job_freshness(too_long));
  BOOST_TEST(!confirm_job(too_long, 5));
}

BOOST_AUTO_TEST_CASE(created_keys_sort_by_time_including_before_1970) {
  // Compared as LMDB does: byte-wise, unsigned.
  auto before = [](const std::string& a, const std::string& b) {
    return a.compare(b) < 0;
  };
  BOOST_TEST(before(created_key(-5, "a"), created_key(0, "a")));
  BOOST_TEST(before(created_key(0, "b"), created_key(1, "a")));
  BOOST_TEST(before(created_key(1, "a"), created_key(1, "b")));
  BOOST_TEST(job_id_of_created_key(created_key(7, "id/with%odd"))
             == "id/with%odd");
}

BOOST_AUTO_TEST_CASE(counter_keys_round_trip) {
  auto k = counter_key(job_type::local, job_status::failed, std::nullopt);
  auto a = decode_counter_key(k);
  BOOST_TEST((a->type == job_type::local));
  BOOST_TEST((a->status == job_status::failed));
  BOOST_TEST(!a->provider);
  auto b = decode_counter_key(counter_key(job_type::cloud, job_status::running,
                                          std::string{"rep=licate"}));
  BOOST_TEST(*b->provider == "rep=licate");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(codec_numbers)

BOOST_AUTO_TEST_CASE(costs_read_back_bit_for_bit) {
  // predict_time x price produces doubles whose shortest decimal form the
  // default RapidJSON parser reads one ULP off. They are stored as the API
  // writes them, to a millionth of a dollar, and read back exactly that.
  for (int i = 1; i < 20000; ++i) {
    job x;
    x.job_id = "j";
    x.created_at = "2026-11-01T10:00:00Z";
    x.cost_usd = (i * 0.731 + 1e-6 * i) * 0.000972222;
    auto back = decode_job(encode_job(x));
    BOOST_REQUIRE(back);
    BOOST_TEST(*back->cost_usd == round_usd(*x.cost_usd), i);
    x.cost_usd = round_usd(*x.cost_usd);
    BOOST_TEST(*decode_job(encode_job(x))->cost_usd == *x.cost_usd, i);
  }
}

BOOST_AUTO_TEST_SUITE_END()
