// What only a shared PostgreSQL store has: several replicas writing at once
// (two stores on one database stand for two replicas), the schema, the
// connection's failures and the event feed. Runs in unit_storage_postgres.

#include "tests/support/postgres_server.hpp"
#include "tests/unit/storage/store_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

using namespace jobsync;
using namespace std::chrono_literals;
using test::make_job;

namespace {

struct replicas_fixture : test::store_fixture {
  std::string database
      = test::postgres_server::database_of(options.postgres.url);
  /// A second store on the same database: another replica.
  std::unique_ptr<storage::job_store> other = open_other();

  std::unique_ptr<storage::job_store> open_other() {
    auto opened = storage::job_store::open(options);
    if (!opened)
      BOOST_FAIL(opened.error().detail);
    return std::move(*opened);
  }

  std::unique_ptr<storage::write_view> write_other() {
    auto w = other->begin_write();
    BOOST_REQUIRE(w);
    return std::move(*w);
  }

  /// Runs `work` on another thread and returns once it is blocked on a
  /// lock (so the test knows the order of what follows).
  template <class Work>
  auto blocked(Work work) {
    auto done = std::async(std::launch::async, std::move(work));
    BOOST_REQUIRE(test::eventually(
        [&] { return test::shared_postgres().has_lock_waiters(database); }, 20s,
        5ms));
    return done;
  }
};

job_changed event_of(std::string job_id) {
  job_changed e;
  e.job_id = std::move(job_id);
  e.provider = "replicate";
  e.status = job_status::running;
  e.previous = job_status::queued;
  return e;
}

void commit_events(storage::job_store& store, std::vector<std::string> ids) {
  auto w = store.begin_write();
  BOOST_REQUIRE(w);
  std::vector<job_changed> events;
  for (auto& id : ids)
    events.push_back(event_of(id));
  BOOST_REQUIRE((*w)->number_events(events));
  BOOST_REQUIRE((*w)->commit());
}

// What a feed delivered, awaited from the test's thread.
struct feed_log {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<uint64_t> ids;
  std::vector<std::string> jobs;
  std::vector<uint64_t> gaps;

  storage::event_handlers handlers() {
    return {[this](std::vector<job_changed> events) {
              std::lock_guard<std::mutex> guard{mtx};
              for (auto& e : events) {
                ids.push_back(e.event_id);
                jobs.push_back(e.job_id);
              }
              cv.notify_all();
            },
            [this](uint64_t id) {
              std::lock_guard<std::mutex> guard{mtx};
              gaps.push_back(id);
            }};
  }

  bool wait_for(size_t n) {
    std::unique_lock<std::mutex> guard{mtx};
    return cv.wait_for(guard, 20s, [&] { return ids.size() >= n; });
  }
};

} // namespace

// Every case needs the server: on LMDB they are skipped (they run in the
// unit_storage_postgres twin).
#define POSTGRES_CASE(name)                                                    \
  BOOST_AUTO_TEST_CASE(name,                                                   \
                       *boost::unit_test::precondition(test::postgres_only{}))

BOOST_FIXTURE_TEST_SUITE(postgres_replicas, replicas_fixture)

POSTGRES_CASE(a_job_read_for_writing_is_locked_until_the_commit) {
  put({make_job("p1", job_status::queued, 1)});
  auto first = write();
  auto x = **first->get("p1");
  // The other replica's merge must wait, then start from this commit.
  auto seen = blocked([&] {
    auto w = write_other();
    auto y = w->get("p1");
    auto status = y && *y ? (*y)->status : job_status::pending;
    w.reset();
    return status;
  });
  x.status = job_status::running;
  BOOST_REQUIRE(first->put(x));
  BOOST_REQUIRE(first->commit());
  BOOST_TEST((seen.get() == job_status::running));
}

POSTGRES_CASE(concurrent_claims_of_a_webhook_id_let_exactly_one_win) {
  auto first = write();
  BOOST_TEST(*first->claim_webhook("p1", "msg_1", 1000));
  auto second = blocked([&] {
    auto w = write_other();
    auto claimed = w->claim_webhook("p1", "msg_1", 1001);
    return claimed && *claimed;
  });
  BOOST_REQUIRE(first->commit());
  BOOST_TEST(!second.get());
  // When the first claim is rolled back, the waiting one wins.
  auto again = write();
  BOOST_TEST(*again->claim_webhook("p2", "msg_2", 1000));
  auto waiting = blocked([&] {
    auto w = write_other();
    auto claimed = w->claim_webhook("p2", "msg_2", 1001);
    bool won = claimed && *claimed && w->commit();
    return won;
  });
  again.reset();
  BOOST_TEST(waiting.get());
  BOOST_TEST(*read()->has_webhook("p2", "msg_2"));
}

POSTGRES_CASE(a_job_created_meanwhile_elsewhere_is_a_conflict) {
  auto first = write();
  BOOST_TEST(!*first->get("new"));
  BOOST_REQUIRE(first->put(make_job("new", job_status::queued, 1)));
  auto conflicted = blocked([&] {
    auto w = write_other();
    auto absent = w->get("new");
    auto put = w->put(make_job("new", job_status::running, 1));
    return absent && !*absent && !put && w->conflicted();
  });
  BOOST_REQUIRE(first->commit());
  BOOST_TEST(conflicted.get());
  // Run again, the other replica finds the job and merges into it.
  auto retry = write_other();
  BOOST_TEST(((*retry->get("new"))->status == job_status::queued));
  BOOST_TEST(*read()->count({}) == 1u);
}

POSTGRES_CASE(event_ids_follow_commit_order_across_replicas) {
  auto first = write();
  std::vector<job_changed> two{event_of("a"), event_of("b")};
  BOOST_REQUIRE(first->number_events(two));
  BOOST_TEST(two[0].event_id == 1u);
  BOOST_TEST(two[1].event_id == 2u);
  auto later = blocked([&] {
    auto w = write_other();
    std::vector<job_changed> one{event_of("c")};
    bool ok = w->number_events(one) && w->commit();
    return ok ? one[0].event_id : 0;
  });
  BOOST_REQUIRE(first->commit());
  BOOST_TEST(later.get() == 3u);
  auto backlog = read()->recent_events(2);
  BOOST_REQUIRE(backlog);
  BOOST_TEST(backlog->last_event_id == 3u);
  BOOST_REQUIRE(backlog->events.size() == 2u);
  BOOST_TEST(backlog->events[0].event_id == 2u);
  BOOST_TEST(backlog->events[0].job_id == "b");
  BOOST_TEST(backlog->events[1].event_id == 3u);
  BOOST_TEST((*backlog->events[1].previous == job_status::queued));
}

POSTGRES_CASE(counters_stay_exact_when_replicas_write_at_once) {
  std::vector<job> jobs;
  for (int i = 0; i < 20; ++i)
    jobs.push_back(make_job("j" + std::to_string(i), job_status::pending, i));
  put(jobs);
  // Both replicas move the same jobs through the statuses, each commit
  // touching every job (rows locked in one order), and run a transaction
  // again when it loses a race, as the registry does.
  auto writer = [&](storage::job_store& store, int seed) {
    int conflicts = 0;
    for (int round = 0; round < 15; ++round) {
      for (;;) {
        auto w = store.begin_write();
        if (!w)
          return -1;
        bool ok = true;
        for (int i = 0; i < 20 && ok; ++i) {
          auto x = (*w)->get("j" + std::to_string(i));
          ok = x && *x;
          if (!ok)
            break;
          auto y = **x;
          y.status = all_statuses[static_cast<size_t>((round + seed + i) % 7)];
          ok = static_cast<bool>((*w)->put(y));
        }
        if (ok && (*w)->commit())
          break;
        if (!(*w)->conflicted())
          return -1;
        ++conflicts;
      }
    }
    return conflicts;
  };
  auto a = std::async(std::launch::async, writer, std::ref(*store), 0);
  auto b = std::async(std::launch::async, writer, std::ref(*other), 3);
  BOOST_TEST(a.get() >= 0);
  BOOST_TEST(b.get() >= 0);
  auto actual = test::shared_postgres().query(
      database, "SELECT status, count(*) FROM jobsync_jobs GROUP BY status");
  std::map<int, uint64_t> expected;
  for (auto& row : actual)
    expected[std::stoi(row[0])] = std::stoull(row[1]);
  std::map<int, uint64_t> counted;
  auto tallies = read()->counters();
  BOOST_REQUIRE(tallies);
  for (auto& t : *tallies)
    counted[static_cast<int>(t.status)] += t.count;
  BOOST_TEST((counted == expected));
  BOOST_TEST(*read()->count({}) == 20u);
}

POSTGRES_CASE(the_schema_is_versioned_and_a_newer_one_refused) {
  auto version = test::shared_postgres().query(
      database, "SELECT value FROM jobsync_meta WHERE key = 'schema_version'");
  BOOST_TEST(version.at(0).at(0) == "4");
  test::shared_postgres().query(database,
                                "UPDATE jobsync_meta SET value = 99 WHERE key "
                                "= 'schema_version'");
  auto refused = storage::job_store::open(options);
  BOOST_REQUIRE(!refused);
  BOOST_TEST(refused.error().detail.find("newer") != std::string::npos,
             refused.error().detail);
}

POSTGRES_CASE(a_version_one_database_gains_synced_ms_and_keeps_its_jobs) {
  auto x = make_job("old", job_status::running, 1);
  put({x});
  // The database as the first schema left it.
  store.reset();
  other.reset();
  test::shared_postgres().query(
      database, "ALTER TABLE jobsync_jobs DROP COLUMN synced_ms; DROP TABLE "
                "jobsync_images; DROP TABLE jobsync_settings; UPDATE "
                "jobsync_meta SET value = 1 WHERE key = 'schema_version'");
  reopen();
  auto version = test::shared_postgres().query(
      database, "SELECT value FROM jobsync_meta WHERE key = 'schema_version'");
  BOOST_TEST(version.at(0).at(0) == "4");
  auto column = test::shared_postgres().query(
      database, "SELECT synced_ms IS NULL FROM jobsync_jobs");
  BOOST_TEST(column.at(0).at(0) == "t");
  auto got = read()->get("old");
  BOOST_REQUIRE(got);
  BOOST_REQUIRE(*got);
  BOOST_TEST((**got == x));
  // Never confirmed: counted from the rule's start.
  auto stale = read()->stale(staleness_rule{1000, 0}, 5000);
  BOOST_REQUIRE(stale);
  BOOST_REQUIRE(stale->size() == 1u);
  BOOST_TEST(stale->front().count == 1u);
  auto w = write();
  BOOST_REQUIRE(w->confirm("old", 4500));
  BOOST_REQUIRE(w->commit());
  auto after = read()->stale(staleness_rule{1000, 0}, 5000);
  BOOST_REQUIRE(after);
  BOOST_TEST(after->front().count == 0u);
}

POSTGRES_CASE(a_version_two_database_gets_the_images_table) {
  put({make_job("l1", job_status::running, 1)});
  auto& server = test::shared_postgres();
  server.query(database, "DROP TABLE jobsync_images");
  server.query(database, "DROP TABLE jobsync_settings");
  server.query(database, "UPDATE jobsync_meta SET value = 2 WHERE key = "
                         "'schema_version'");
  reopen();
  BOOST_TEST(server
                 .query(database, "SELECT value FROM jobsync_meta WHERE key "
                                  "= 'schema_version'")
                 .at(0)
                 .at(0)
             == "4");
  {
    auto w = write();
    BOOST_REQUIRE(w->put_image("l1", {{"\x89PNG-bytes", "\"t\""}, 5}));
    BOOST_REQUIRE(w->commit());
  }
  BOOST_TEST((*read()->image("l1"))->image.bytes == "\x89PNG-bytes");
  BOOST_TEST((*read()->get("l1")).has_value());
}

POSTGRES_CASE(a_database_that_returns_serves_the_next_request) {
  put({make_job("p1", job_status::queued, 1)});
  BOOST_TEST(static_cast<bool>(store->check()));
  auto& server = test::shared_postgres();
  server.stop();
  auto down = store->check();
  BOOST_REQUIRE(!down);
  BOOST_TEST((down.error().code == errc::unavailable));
  auto w = store->begin_write();
  BOOST_TEST(!w);
  BOOST_TEST((w.error().code == errc::unavailable));
  server.start();
  // The pooled connections died with the server: the first read replaces
  // its stale one instead of failing.
  auto r = store->begin_read();
  BOOST_REQUIRE(r);
  auto found = (*r)->get("p1");
  BOOST_REQUIRE_MESSAGE(found, (found ? "" : found.error().detail));
  BOOST_TEST(found->has_value());
  BOOST_TEST(static_cast<bool>(store->check()));
  put({make_job("p2", job_status::queued, 2)});
  BOOST_TEST(*read()->count({}) == 2u);
}

POSTGRES_CASE(the_password_file_is_used_and_never_shown) {
  auto& server = test::shared_postgres();
  auto tcp = options;
  tcp.postgres.url = server.tcp_url(database);
  tcp.postgres.password_file = dir.path() + "/pw";
  test::write_file(tcp.postgres.password_file,
                   std::string{test::postgres_server::password} + "\n");
  auto opened = storage::job_store::open(tcp);
  BOOST_REQUIRE_MESSAGE(opened, (opened ? "" : opened.error().detail));
  BOOST_TEST((*opened)->describe().find("127.0.0.1") != std::string::npos);
  test::write_file(tcp.postgres.password_file, "Wr0ng-secret\n");
  auto refused = storage::job_store::open(tcp);
  BOOST_REQUIRE(!refused);
  BOOST_TEST((refused.error().code == errc::unavailable));
  BOOST_TEST(refused.error().detail.find("password authentication failed")
                 != std::string::npos,
             refused.error().detail);
  BOOST_TEST(refused.error().detail.find("Wr0ng") == std::string::npos);
  tcp.postgres.password_file = dir.path() + "/missing";
  auto unreadable = storage::job_store::open(tcp);
  BOOST_REQUIRE(!unreadable);
  BOOST_TEST(unreadable.error().detail.find("storage.postgres.password_file")
             != std::string::npos);
}

POSTGRES_CASE(the_feed_delivers_every_replicas_events_in_order) {
  options.postgres.event_retention = 3;
  reopen();
  for (auto id : {"a", "b", "c", "d", "e"})
    commit_events(*store, {id});
  // A replica that starts following after id 0 finds 1 and 2 pruned.
  feed_log log;
  auto feed = other->follow_events(0, log.handlers());
  BOOST_REQUIRE(feed);
  BOOST_REQUIRE(*feed);
  BOOST_REQUIRE(log.wait_for(3));
  // Events written through either replica arrive, announced by NOTIFY.
  commit_events(*other, {"f", "g"});
  commit_events(*store, {"h"});
  BOOST_REQUIRE(log.wait_for(6));
  feed->reset();
  BOOST_TEST((log.gaps == std::vector<uint64_t>{2}));
  BOOST_TEST((log.ids == std::vector<uint64_t>{3, 4, 5, 6, 7, 8}));
  BOOST_TEST(
      (log.jobs == std::vector<std::string>{"c", "d", "e", "f", "g", "h"}));
  // The table keeps the newest three.
  auto kept = test::shared_postgres().query(
      database, "SELECT min(id), max(id) FROM jobsync_events");
  BOOST_TEST(kept.at(0).at(0) == "6");
  BOOST_TEST(kept.at(0).at(1) == "8");
}

// Who polls each provider: one replica per provider's lock, named by the
// replica that holds it.
struct polling_claims {
  std::unique_ptr<storage::leader_locks> locks;

  polling_claims(const storage::job_store& store, const std::string& name) {
    auto made = store.claim_polling(name);
    BOOST_REQUIRE(made);
    BOOST_REQUIRE(*made);
    locks = std::move(*made);
  }

  /// Claims both providers; "leader" or "leader*" when this one leads,
  /// per provider; the failure's text when it failed.
  std::string claim() {
    auto r = locks->claim({"replicate", "other"});
    if (!r)
      return "failed: " + r.error().detail;
    std::string out;
    for (const auto& p : {"replicate", "other"}) {
      const auto& l = r->at(p);
      out += (out.empty() ? "" : " ") + l.leader + (l.leading ? "*" : "");
    }
    return out;
  }
};

POSTGRES_CASE(one_replica_at_a_time_polls_a_provider) {
  polling_claims a{*store, "A"};
  polling_claims b{*other, "B"};
  BOOST_TEST(a.claim() == "A* A*");
  BOOST_TEST(b.claim() == "A A");
  // Claims repeat without piling up: A still holds each lock once.
  BOOST_TEST(a.claim() == "A* A*");
  auto held = test::shared_postgres().query(
      database, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND objsubid = 2");
  BOOST_TEST(held.at(0).at(0) == "2");
  // A stops: its session ends and B takes both over.
  a.locks.reset();
  BOOST_TEST(test::eventually([&] { return b.claim() == "B* B*"; }, 20s, 5ms));
}

POSTGRES_CASE(a_replica_that_loses_its_session_gives_its_providers_up) {
  polling_claims a{*store, "A"};
  polling_claims b{*other, "B"};
  BOOST_TEST(a.claim() == "A* A*");
  // The server ends A's polling session (a network failure would too).
  test::shared_postgres().query(
      database, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'A'");
  BOOST_TEST(test::eventually([&] { return b.claim() == "B* B*"; }, 20s, 5ms));
  // A finds out at its next claim: it fails (A then polls nothing), and
  // the one after reconnects and finds B leading.
  auto lost = a.claim();
  BOOST_TEST(lost.find("failed: the database is unavailable") == 0u, lost);
  BOOST_TEST(a.claim() == "B B");
}

BOOST_AUTO_TEST_SUITE_END()
