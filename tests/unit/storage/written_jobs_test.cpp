// The jobs an LMDB writer remembers with their stored bytes
// (storage/written_jobs): what it answers, and the assumption it rests
// on, that a job the registry puts reads back from its bytes as it was.

#include "model/merge.hpp"
#include "model/missing.hpp"
#include "storage/codec.hpp"
#include "storage/written_jobs.hpp"
#include "tests/unit/storage/store_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <random>

using namespace jobsync;
using namespace jobsync::storage;

BOOST_AUTO_TEST_SUITE(written_jobs_memory)

BOOST_AUTO_TEST_CASE(a_job_is_known_only_by_the_bytes_it_was_stored_as) {
  written_jobs known{2};
  auto a = test::make_job("a", job_status::running, 1000);
  known.remember(a, "bytes of a");
  BOOST_REQUIRE(known.find("a", "bytes of a"));
  BOOST_TEST((*known.find("a", "bytes of a") == a));
  BOOST_TEST(!known.find("a", "other bytes"));
  BOOST_TEST(!known.find("b", "bytes of a"));
  // A later put replaces it.
  a.status = job_status::completed;
  known.remember(a, "new bytes of a");
  BOOST_TEST(!known.find("a", "bytes of a"));
  BOOST_TEST(
      (known.find("a", "new bytes of a")->status == job_status::completed));
  known.forget("a");
  BOOST_TEST(!known.find("a", "new bytes of a"));
}

BOOST_AUTO_TEST_CASE(it_holds_about_max_bytes_of_values) {
  written_jobs known{100, 100};
  known.remember(test::make_job("a", job_status::running, 1),
                 std::string(30, 'a'));
  known.remember(test::make_job("b", job_status::running, 2),
                 std::string(15, 'b'));
  BOOST_TEST(known.size() == 2u);
  // Replacing a job counts its new value only.
  known.remember(test::make_job("a", job_status::running, 1),
                 std::string(30, 'A'));
  BOOST_TEST(known.size() == 2u);
  // Over the bound: starts over.
  known.remember(test::make_job("c", job_status::running, 3),
                 std::string(20, 'c'));
  BOOST_TEST(known.size() == 1u);
  BOOST_TEST(known.find("c", std::string(20, 'c')));
  // A value larger than the bound alone is not kept.
  known.remember(test::make_job("d", job_status::running, 4),
                 std::string(60, 'd'));
  BOOST_TEST(!known.find("d", std::string(60, 'd')));
  BOOST_TEST(known.find("c", std::string(20, 'c')));
}

BOOST_AUTO_TEST_CASE(full_it_starts_over) {
  written_jobs known{2};
  known.remember(test::make_job("a", job_status::running, 1), "a");
  known.remember(test::make_job("b", job_status::running, 2), "b");
  BOOST_TEST(known.size() == 2u);
  known.remember(test::make_job("c", job_status::running, 3), "c");
  BOOST_TEST(known.size() == 1u);
  BOOST_TEST(!known.find("a", "a"));
  BOOST_TEST(known.find("c", "c"));
}

// The store returns the job put, not the decoded bytes: the two must be
// the same for every job the registry makes. Built here as the registry
// builds them, from provider snapshots with costs of any precision,
// metadata of every JSON kind, empty and missing values.
BOOST_AUTO_TEST_CASE(jobs_made_by_the_merge_read_back_as_they_were_put) {
  std::mt19937_64 rng{11};
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const char* texts[] = {"", "a", "x\"y\\z\n", "\xc3\xa9t\xc3\xa9",
                         "2026-11-01T10:00:00.123456789Z"};
  const char* raw[] = {"\"s\"", "1",    "-2",          "1.5", "1e300",
                       "true",  "null", "{\"a\":[1]}", "[]",  "\"\\u0000\""};
  auto maybe = [&]() -> std::optional<std::string> {
    int i = pick(6);
    if (i == 5)
      return std::nullopt;
    return std::string{texts[i]};
  };
  const job_status statuses[] = {job_status::queued, job_status::running,
                                 job_status::completed, job_status::failed};
  for (int i = 0; i < 3000; ++i) {
    std::optional<job> x;
    for (int step = 0; step < 3; ++step) {
      provider_snapshot s;
      s.provider = "replicate";
      s.external_id = "p" + std::to_string(i);
      s.provider_status = texts[pick(5)];
      if (pick(4))
        s.status = statuses[pick(4)];
      s.created_at = maybe();
      s.started_at = maybe();
      s.completed_at = maybe();
      if (pick(2))
        s.cost_usd = (rng() % 100000) * 0.000972222 / (1 + pick(7));
      s.hardware_type = maybe();
      s.error_message = maybe();
      s.output_url = maybe();
      s.config_name = maybe();
      for (const char* key : {"model", "urls", "deadline"})
        if (pick(2))
          s.metadata[key] = raw[pick(10)];
      if (!x)
        x = job_from_snapshot(s, 1'790'000'000'000 + i);
      else
        apply_snapshot(*x, s);
      if (pick(3) == 0)
        note_not_found(*x, 1'790'000'000'000);
      if (pick(2))
        x->synced_at = 1'790'000'000'000 + pick(1000);
      auto back = decode_job(encode_job(*x));
      BOOST_REQUIRE(back);
      BOOST_TEST((*back == *x), i << " step " << step);
    }
  }
}

BOOST_FIXTURE_TEST_SUITE(through_the_store, test::store_fixture)

// Whatever changed the stored value since (a confirmation's new stamp, a
// put rolled back) is read from the store, never from memory.
BOOST_AUTO_TEST_CASE(a_read_sees_every_change_since_the_put) {
  auto x = test::make_job("p1", job_status::running, 1000);
  x.metadata = {{"model", "\"a/b\""}};
  put({x});
  {
    auto w = write();
    auto got = w->get("p1");
    BOOST_REQUIRE(got);
    BOOST_TEST((**got == x));
    BOOST_REQUIRE(w->confirm("p1", 1'790'000'000'123));
    auto confirmed = w->get("p1");
    BOOST_TEST((*(*confirmed)->synced_at == 1'790'000'000'123));
    BOOST_REQUIRE(w->commit());
  }
  {
    auto w = write();
    auto y = x;
    y.status = job_status::completed;
    BOOST_REQUIRE(w->put(y));
    BOOST_TEST(((*w->get("p1"))->status == job_status::completed));
    // Not committed: dropped with the view.
  }
  auto w = write();
  auto got = w->get("p1");
  BOOST_TEST(((*got)->status == job_status::running));
  BOOST_TEST((*(*got)->synced_at == 1'790'000'000'123));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
