// List pages: 100 per page, newest first, cursor links that neither skip
// nor repeat jobs (tools/replicate-sim/README.md).

#include "tests/integration/replicate_sim/sim_fixture.hpp"

#include "model/timestamp.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace jobsync;
using namespace jobsync::test;

BOOST_AUTO_TEST_SUITE(pagination)

BOOST_AUTO_TEST_CASE(pages_hold_100_jobs_newest_first_without_gaps) {
  sim_process sim;
  auto ids = sim.create_jobs(R"({"count":250,"created_spread_seconds":7200})");
  BOOST_REQUIRE(ids.size() == 250u);
  std::vector<size_t> sizes;
  auto walked = walk_pages(sim, sim.base() + "/predictions", &sizes);
  BOOST_TEST(walked == ids, boost::test_tools::per_element());
  BOOST_TEST((sizes == std::vector<size_t>{100, 100, 50}));
  // Newest first by created_at, checked on the objects themselves.
  auto first = parse_json(sim.api("GET", "/predictions").body);
  BOOST_TEST(type_of(first, "previous") == "null");
  BOOST_TEST(str(first, "next").rfind(sim.base() + "/predictions?cursor=", 0)
             == 0u);
  unix_ms last = INT64_MAX;
  for (auto& j : first["results"].GetArray()) {
    auto t = parse_rfc3339(str(j, "created_at"));
    BOOST_REQUIRE(t.has_value());
    BOOST_TEST(*t <= last);
    last = *t;
  }
}

BOOST_AUTO_TEST_CASE(jobs_created_during_a_walk_do_not_shift_pages) {
  sim_process sim;
  auto ids = sim.create_jobs(R"({"count":250,"created_spread_seconds":600})");
  auto page1 = parse_json(sim.api("GET", "/predictions").body);
  std::vector<std::string> walked;
  for (auto& j : page1["results"].GetArray())
    walked.push_back(str(j, "id"));
  // New jobs arrive between page fetches: an offset-based cursor would
  // now repeat 30 jobs of page 1.
  std::vector<std::string> fresh;
  for (int i = 0; i < 30; ++i)
    fresh.push_back(sim.create_prediction());
  auto rest = walk_pages(sim, str(page1, "next"));
  walked.insert(walked.end(), rest.begin(), rest.end());
  BOOST_TEST(walked == ids, boost::test_tools::per_element());
  // A fresh walk sees the new jobs first, then the old ones.
  auto all = walk_pages(sim, sim.base() + "/predictions");
  BOOST_REQUIRE(all.size() == 280u);
  std::vector<std::string> newest(all.begin(), all.begin() + 30);
  std::reverse(fresh.begin(), fresh.end());
  BOOST_TEST(newest == fresh, boost::test_tools::per_element());
  BOOST_TEST((std::set<std::string>(all.begin(), all.end()).size() == 280u));
}

BOOST_AUTO_TEST_CASE(jobs_deleted_during_a_walk_do_not_cause_gaps) {
  sim_process sim;
  auto ids = sim.create_jobs(R"({"count":250,"created_spread_seconds":600})");
  auto page1 = parse_json(sim.api("GET", "/predictions").body);
  // Delete the last job of page 1 (the cursor's own position) and one on
  // page 2; the walk continues right after the position anyway.
  auto gone1 = ids[99];
  auto gone2 = ids[150];
  BOOST_TEST(sim.admin("DELETE", "/jobs/" + gone1).status == 200);
  BOOST_TEST(sim.admin("DELETE", "/jobs/" + gone2).status == 200);
  auto rest = walk_pages(sim, str(page1, "next"));
  std::vector<std::string> expected(ids.begin() + 100, ids.end());
  expected.erase(std::find(expected.begin(), expected.end(), gone2));
  BOOST_TEST(rest == expected, boost::test_tools::per_element());
  BOOST_TEST(sim.api("GET", "/predictions/" + gone1).status == 404);
  BOOST_TEST(sim.admin("DELETE", "/jobs/" + gone1).status == 404);
}

BOOST_AUTO_TEST_CASE(identical_creation_times_are_ordered_stably) {
  sim_process sim;
  // Same explicit durations, no spread: every job has the same created_at.
  auto ids = sim.create_jobs(R"({"count":150,"starting_seconds":1,)"
                             R"("processing_seconds":10})");
  auto walked = walk_pages(sim, sim.base() + "/predictions");
  BOOST_TEST(walked == ids, boost::test_tools::per_element());
  BOOST_TEST(walk_pages(sim, sim.base() + "/predictions") == walked,
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(previous_links_lead_back_to_the_same_page) {
  sim_process sim;
  sim.create_jobs(R"({"count":250,"created_spread_seconds":3600})");
  auto page1 = parse_json(sim.api("GET", "/predictions").body);
  auto page2 = parse_json(sim.get_url(str(page1, "next")).body);
  auto page3 = parse_json(sim.get_url(str(page2, "next")).body);
  BOOST_TEST(type_of(page3, "next") == "null");
  BOOST_REQUIRE(type_of(page2, "previous") == "string");
  auto back1 = parse_json(sim.get_url(str(page2, "previous")).body);
  BOOST_TEST(text_of(back1, "results") == text_of(page1, "results"));
  BOOST_TEST(type_of(back1, "previous") == "null");
  BOOST_TEST(str(back1, "next") == str(page1, "next"));
  auto back2 = parse_json(sim.get_url(str(page3, "previous")).body);
  BOOST_TEST(text_of(back2, "results") == text_of(page2, "results"));
}

BOOST_AUTO_TEST_CASE(date_filters_select_a_range_and_stay_in_links) {
  sim_process sim;
  // 100 s between consecutive jobs.
  auto ids = sim.create_jobs(R"({"count":300,"created_spread_seconds":30000})");
  auto at = [&](size_t i) { return str(sim.job(ids[i]), "created_at"); };
  auto query = "/predictions?created_after=" + url_encode(at(250))
               + "&created_before=" + url_encode(at(20));
  auto page = parse_json(sim.api("GET", query).body);
  BOOST_REQUIRE(page["results"].Size() == 100u);
  auto next = str(page, "next");
  BOOST_TEST(next.find("created_after=") != std::string::npos);
  BOOST_TEST(next.find("created_before=") != std::string::npos);
  // created_after is inclusive and created_before exclusive. A shown
  // timestamp is truncated, never later than the instant, which keeps
  // job 250 in and job 20 out.
  auto walked = walk_pages(sim, sim.base() + query);
  std::vector<std::string> expected(ids.begin() + 21, ids.begin() + 251);
  BOOST_TEST(walked == expected, boost::test_tools::per_element());
  auto from_offset
      = sim.api("GET", "/predictions?created_after="
                           + url_encode("2025-06-08T12:00:00+02:00"));
  BOOST_TEST(from_offset.status == 200);
  // 12:00+02:00 is 10:00Z: the jobs of the last two hours, i = 0..72.
  BOOST_TEST(parse_json(from_offset.body)["results"].Size() == 73u);
}

BOOST_AUTO_TEST_CASE(source_web_lists_only_recent_web_jobs) {
  sim_process sim;
  auto web = sim.create_jobs(R"({"count":3,"source":"web"})");
  sim.create_jobs(R"({"count":5})");
  // Created 23 days ago: beyond the 14 days source=web covers.
  sim.create_jobs(R"({"count":1,"source":"web","status":"processing",)"
                  R"("starting_seconds":2000000})");
  auto walked = walk_pages(sim, sim.base() + "/predictions?source=web");
  BOOST_TEST(walked == web, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
