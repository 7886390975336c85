#include "support.hpp"

#include "model/timestamp.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace jobsync;
using namespace jobsync::providers;
using namespace jobsync::test;
using namespace std::chrono_literals;

namespace {

std::string word(const std::optional<job_status>& x) {
  return x ? std::string{to_string(*x)} : "none";
}

replicate_listing list_all(replicate_client& client, size_t max_jobs,
                           std::optional<unix_ms> created_after = {}) {
  return await_value<replicate_listing>(
      [&](auto cb) { client.list(max_jobs, created_after, cb); });
}

provider_snapshot get_job(replicate_client& client, const std::string& id) {
  return await_value<provider_snapshot>([&](auto cb) { client.get(id, cb); });
}

provider_error get_error(replicate_client& client, const std::string& id) {
  return await_error<provider_snapshot>([&](auto cb) { client.get(id, cb); });
}

// Number of fractional digits of an RFC 3339 text.
int fraction_digits(const std::string& ts) {
  auto dot = ts.find('.');
  if (dot == std::string::npos)
    return 0;
  return static_cast<int>(ts.find_first_not_of("0123456789", dot + 1) - dot
                          - 1);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(replicate_client_against_the_emulator, sim_fixture)

BOOST_AUTO_TEST_CASE(listing_pages_through_every_job_once_newest_first) {
  auto created = create_jobs(R"({"count":250,"created_spread_seconds":7200})");
  BOOST_REQUIRE(created.size() == 250u);
  replicate_client client{config()};
  auto listing = list_all(client, 1000);
  BOOST_TEST(listing.jobs.size() == 250u);
  BOOST_TEST(listing.pages == 3u);
  BOOST_TEST(listing.requests == 3u);
  BOOST_TEST(listing.skipped == 0u);
  BOOST_TEST(listing.exhausted);
  std::set<std::string> seen;
  unix_ms previous = std::numeric_limits<unix_ms>::max();
  for (auto& job : listing.jobs) {
    BOOST_TEST(seen.insert(job.external_id).second, job.external_id);
    BOOST_REQUIRE(job.created_at);
    auto t = parse_rfc3339(*job.created_at);
    BOOST_REQUIRE(t);
    BOOST_TEST(*t <= previous);
    previous = *t;
    BOOST_TEST(job.provider == "replicate");
  }
  BOOST_TEST((seen == std::set<std::string>(created.begin(), created.end())));
  BOOST_TEST(request_count("list") == 3);
}

BOOST_AUTO_TEST_CASE(listing_stops_at_max_jobs) {
  create_jobs(R"({"count":250,"created_spread_seconds":7200})");
  replicate_client client{config()};
  auto listing = list_all(client, 120);
  BOOST_TEST(listing.jobs.size() == 120u);
  BOOST_TEST(listing.pages == 2u);
  BOOST_TEST(listing.requests == 2u);
  BOOST_TEST(!listing.exhausted);
  auto one_page = list_all(client, 100);
  BOOST_TEST(one_page.jobs.size() == 100u);
  BOOST_TEST(one_page.requests == 1u);
  // The first 120 of the walk are the first 120 of the whole list.
  auto everything = list_all(client, 1000);
  for (size_t i = 0; i < 120; ++i)
    BOOST_TEST(listing.jobs[i].external_id == everything.jobs[i].external_id);
}

BOOST_AUTO_TEST_CASE(listing_stops_at_the_page_that_reaches_the_age_bound) {
  create_jobs(R"({"count":250,"created_spread_seconds":7200})");
  replicate_client client{config()};
  auto everything = list_all(client, 1000);
  BOOST_REQUIRE(everything.jobs.size() == 250u);
  // A bound inside the second page: the walk needs two pages, not three.
  auto bound = *parse_rfc3339(*everything.jobs[149].created_at);
  auto recent = list_all(client, 1000, bound);
  BOOST_TEST(recent.requests == 2u);
  BOOST_TEST(!recent.exhausted);
  BOOST_TEST(recent.jobs.size() >= 150u);
  BOOST_TEST(recent.jobs.size() < 200u);
  for (auto& job : recent.jobs)
    BOOST_TEST(*parse_rfc3339(*job.created_at) >= bound);
  // A bound newer than every job: one page, nothing returned.
  auto newest = *parse_rfc3339(*everything.jobs.front().created_at);
  auto none = list_all(client, 1000, newest + 1);
  BOOST_TEST(none.jobs.empty());
  BOOST_TEST(none.requests == 1u);
}

BOOST_AUTO_TEST_CASE(single_pages_can_be_walked_by_hand) {
  create_jobs(R"({"count":250,"created_spread_seconds":7200})");
  replicate_client client{config()};
  std::string url;
  size_t total = 0;
  size_t pages = 0;
  for (;;) {
    auto page = await_value<replicate_page>(
        [&](auto cb) { client.list_page(url, cb); });
    ++pages;
    total += page.jobs.size();
    if (!page.next)
      break;
    BOOST_TEST(page.next->rfind(base + "/predictions", 0) == 0u, *page.next);
    url = *page.next;
    BOOST_REQUIRE(pages < 10u);
  }
  BOOST_TEST(pages == 3u);
  BOOST_TEST(total == 250u);
}

BOOST_AUTO_TEST_CASE(every_replicate_status_is_mapped) {
  replicate_client client{config()};
  struct row {
    const char* word;
    const char* status;
  };
  for (auto [replicate, mapped] :
       {row{"starting", "queued"}, row{"processing", "running"},
        row{"succeeded", "completed"}, row{"failed", "failed"},
        row{"canceled", "cancelled"}, row{"aborted", "cancelled"}}) {
    auto id = create_jobs(std::string{R"({"count":1,"status":")"} + replicate
                          + "\"}")
                  .at(0);
    auto job = get_job(client, id);
    BOOST_TEST(job.provider_status == replicate);
    BOOST_TEST(word(job.status) == mapped, replicate);
    BOOST_TEST(job.external_id == id);
    if (std::string{replicate} == "succeeded") {
      BOOST_TEST(job.completed_at.has_value());
      BOOST_TEST(job.started_at.has_value());
      BOOST_TEST(job.output_url.has_value());
      BOOST_TEST(job.cost_usd.has_value());
    }
    if (std::string{replicate} == "failed")
      BOOST_TEST(job.error_message.has_value());
    if (std::string{replicate} == "aborted")
      BOOST_TEST(!job.started_at.has_value());
  }
  // The list carries the same words.
  auto listing = list_all(client, 100);
  std::set<std::string> words;
  for (auto& job : listing.jobs)
    words.insert(job.provider_status);
  BOOST_TEST(words.size() == 6u);
}

BOOST_AUTO_TEST_CASE(timestamps_of_every_precision_are_kept_verbatim) {
  create_jobs(R"({"count":250,"created_spread_seconds":7200,)"
              R"("status":"succeeded"})");
  replicate_client client{config()};
  auto listing = list_all(client, 1000);
  BOOST_REQUIRE(listing.jobs.size() == 250u);
  std::set<int> precisions;
  for (auto& job : listing.jobs) {
    // An unparsable timestamp would have been dropped by the parser.
    BOOST_REQUIRE(job.created_at);
    BOOST_REQUIRE(job.started_at);
    BOOST_REQUIRE(job.completed_at);
    for (auto* ts : {&*job.created_at, &*job.started_at, &*job.completed_at})
      precisions.insert(fraction_digits(*ts));
  }
  BOOST_TEST(precisions.size() >= 3u);
  BOOST_TEST_MESSAGE("fraction digit counts seen: " << precisions.size());
}

BOOST_AUTO_TEST_CASE(a_wrong_token_is_unauthorized) {
  auto cfg = config();
  cfg.api_token = "r8_wrong";
  replicate_client client{cfg};
  auto e = await_error<replicate_listing>(
      [&](auto cb) { client.list(10, std::nullopt, cb); });
  BOOST_TEST(to_string(e.kind) == "unauthorized");
  BOOST_TEST(e.http_status == 401);
  BOOST_TEST(contains(e.message, "authentication token"), e.message);
  auto v = await_error<std::string>([&](auto cb) { client.validate(cb); });
  BOOST_TEST(to_string(v.kind) == "unauthorized");
}

BOOST_AUTO_TEST_CASE(an_unknown_job_is_not_found) {
  replicate_client client{config()};
  auto e = get_error(client, "doesnotexist0000000000000a");
  BOOST_TEST(to_string(e.kind) == "not_found");
  BOOST_TEST(e.http_status == 404);
  BOOST_TEST(contains(e.message, "could not be found"), e.message);
  auto c = await_error<provider_snapshot>(
      [&](auto cb) { client.cancel("doesnotexist0000000000000a", cb); });
  BOOST_TEST(to_string(c.kind) == "not_found");
}

BOOST_AUTO_TEST_CASE(a_422_is_invalid) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"status","status":422,"count":1})");
  replicate_client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.kind) == "invalid");
  BOOST_TEST(e.http_status == 422);
  // The fault was used up: the next request succeeds.
  BOOST_TEST(get_job(client, id).external_id == id);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_seconds_gives_the_delay) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"status","status":429,"retry_after":7,)"
        R"("retry_after_format":"seconds","count":1})");
  replicate_client client{config()};
  auto r = await<provider_snapshot>([&](auto cb) { client.get(id, cb); });
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(to_string(r.error().kind) == "rate_limited");
  BOOST_TEST(r.error().http_status == 429);
  BOOST_REQUIRE(r.error().retry_after);
  BOOST_TEST(r.error().retry_after->count() == 7);
  BOOST_TEST(contains(r.error().message, "retry in 7 s"), r.error().message);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_as_a_date_gives_the_delay) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"list","kind":"status","status":429,"retry_after":30,)"
        R"("retry_after_format":"date","count":1})");
  replicate_client client{config()};
  auto e = await_error<replicate_listing>(
      [&](auto cb) { client.list(10, std::nullopt, cb); });
  BOOST_TEST(to_string(e.kind) == "rate_limited");
  BOOST_REQUIRE(e.retry_after);
  // A date has whole seconds and is read against our clock: at most the
  // 30 s asked for plus the rounding.
  BOOST_TEST(e.retry_after->count() <= 31);
  BOOST_TEST(e.retry_after->count() >= 0);
}

BOOST_AUTO_TEST_CASE(a_5xx_is_a_provider_failure) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"status","status":503,"count":1})");
  replicate_client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.kind) == "provider_failure");
  BOOST_TEST(e.http_status == 503);
  BOOST_TEST(is_transient(e.kind));
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_is_malformed) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"malformed","count":1})");
  replicate_client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.kind) == "malformed");
  BOOST_TEST(contains(e.message, "GET " + base + "/predictions/" + id),
             e.message);
  fault(R"({"endpoint":"list","kind":"malformed","count":1})");
  auto l = await_error<replicate_listing>(
      [&](auto cb) { client.list(10, std::nullopt, cb); });
  BOOST_TEST(to_string(l.kind) == "malformed");
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_a_network_error) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"drop","count":1})");
  replicate_client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.kind) == "network");
  BOOST_TEST(e.http_status == 0);
  BOOST_TEST(get_job(client, id).external_id == id);
}

BOOST_AUTO_TEST_CASE(a_slow_answer_hits_the_request_deadline) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"slow","delay_ms":5000,"count":1})");
  auto cfg = config();
  cfg.request_timeout = 300ms;
  replicate_client client{cfg};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.kind) == "timeout", e.message);
  BOOST_TEST(e.http_status == 0);
}

BOOST_AUTO_TEST_CASE(an_unreachable_provider_is_a_network_error) {
  auto cfg = config();
  cfg.api_base_url = "http://127.0.0.1:1/v1";
  replicate_client client{cfg};
  auto e = get_error(client, "abc");
  BOOST_TEST(to_string(e.kind) == "network");
  BOOST_TEST(contains(e.message, "could not connect"), e.message);
}

BOOST_AUTO_TEST_CASE(one_slot_runs_slow_requests_in_submission_order) {
  auto ids = create_jobs(R"({"count":3,"status":"processing"})");
  fault(R"({"endpoint":"get","kind":"slow","delay_ms":200,"count":3})");
  auto cfg = config();
  cfg.max_concurrency = 1;
  replicate_client client{cfg};
  std::mutex mtx;
  std::vector<std::string> order;
  std::promise<void> all;
  for (auto& id : ids)
    client.get(id, [&](provider_result<provider_snapshot> r) {
      std::lock_guard<std::mutex> guard{mtx};
      order.push_back(r ? r.value().external_id : r.error().message);
      if (order.size() == 3)
        all.set_value();
    });
  BOOST_TEST(client.pending_requests() >= 1u);
  BOOST_REQUIRE(all.get_future().wait_for(answer_timeout)
                == std::future_status::ready);
  BOOST_TEST(order == ids);
}

BOOST_AUTO_TEST_CASE(get_returns_the_job) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  replicate_client client{config()};
  auto job = get_job(client, id);
  BOOST_TEST(job.external_id == id);
  BOOST_TEST(word(job.status) == "running");
  BOOST_TEST(job.created_at.has_value());
  BOOST_TEST(job.started_at.has_value());
  BOOST_TEST(job.metadata.at("prediction_id") == "\"" + id + "\"");
  BOOST_TEST(job.metadata.count("model") == 1u);
  BOOST_TEST(job.metadata.count("urls") == 1u);
  BOOST_TEST(job.hardware_type.value_or("") == "L40S (48GB)");
}

BOOST_AUTO_TEST_CASE(cancel_returns_the_cancelled_job) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  replicate_client client{config()};
  auto job
      = await_value<provider_snapshot>([&](auto cb) { client.cancel(id, cb); });
  BOOST_TEST(job.external_id == id);
  BOOST_TEST(job.provider_status == "canceled");
  BOOST_TEST(word(job.status) == "cancelled");
  BOOST_TEST(job.completed_at.has_value());
  BOOST_TEST(get_job(client, id).provider_status == "canceled");
  BOOST_TEST(request_count("cancel") == 1);
}

BOOST_AUTO_TEST_CASE(logs_return_the_cumulative_text) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  admin_post("jobs/" + id + "/logs", R"({"append":"marker step 5/10\n"})");
  replicate_client client{config()};
  auto logs
      = await_value<replicate_logs>([&](auto cb) { client.logs(id, cb); });
  BOOST_TEST(contains(logs.text, "marker step 5/10"), logs.text);
  BOOST_TEST(logs.snapshot.external_id == id);
  BOOST_TEST(logs.snapshot.logs.value_or("") == logs.text);
}

BOOST_AUTO_TEST_CASE(the_webhook_secret_is_read) {
  replicate_client client{config()};
  auto key
      = await_value<std::string>([&](auto cb) { client.webhook_secret(cb); });
  BOOST_TEST(key.rfind("whsec_", 0) == 0u, key);
}

BOOST_AUTO_TEST_CASE(validate_names_the_account) {
  replicate_client client{config()};
  auto name = await_value<std::string>([&](auto cb) { client.validate(cb); });
  BOOST_TEST(!name.empty());
}

BOOST_AUTO_TEST_CASE(rate_limit_headers_reach_the_caller) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  replicate_client client{config()};
  auto r = await<provider_snapshot>([&](auto cb) { client.get(id, cb); });
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.rate_limit.remaining.has_value());
  BOOST_TEST(r.rate_limit.reset_seconds.has_value());
  // Errors carry them too.
  auto missing = await<provider_snapshot>(
      [&](auto cb) { client.get("doesnotexist0000000000000a", cb); });
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.rate_limit.remaining.has_value());
}

BOOST_AUTO_TEST_CASE(trainings_are_listed_with_their_weights) {
  create_jobs(R"({"count":3,"collection":"trainings","status":"succeeded"})");
  create_jobs(R"({"count":2,"status":"processing"})");
  auto cfg = config();
  cfg.resource = "trainings";
  replicate_client client{cfg};
  auto listing = list_all(client, 100);
  BOOST_REQUIRE(listing.jobs.size() == 3u);
  for (auto& job : listing.jobs) {
    BOOST_TEST(word(job.status) == "completed");
    BOOST_TEST(job.output_url.has_value());
    BOOST_TEST(job.metadata.at("urls").find("/trainings/")
               != std::string::npos);
  }
  auto one = get_job(client, listing.jobs[0].external_id);
  BOOST_TEST(one.output_url.value_or("")
             == listing.jobs[0].output_url.value_or("-"));
}

BOOST_AUTO_TEST_CASE(stopping_fails_pending_operations) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"slow","delay_ms":60000,"count":1})");
  replicate_client client{config()};
  std::promise<provider_result<provider_snapshot>> done;
  client.get(id, [&](provider_result<provider_snapshot> r) {
    done.set_value(std::move(r));
  });
  BOOST_REQUIRE(eventually([&] { return request_count("get") == 1; }));
  client.stop();
  auto answer = done.get_future();
  BOOST_REQUIRE(answer.wait_for(0s) == std::future_status::ready);
  auto r = answer.get();
  BOOST_REQUIRE(!r.ok());
  BOOST_TEST(to_string(r.error().kind) == "network");
}

BOOST_AUTO_TEST_SUITE_END()
