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

using replicate::client;

// Every page of the newest-first list, followed by hand (the client reads
// pages; walking them is the poller's job).
struct listing {
  std::vector<provider_snapshot> jobs;
  size_t pages = 0;
  size_t skipped = 0;
};

listing walk_all(client& c) {
  listing out;
  std::string cursor;
  for (;;) {
    auto page
        = await_value<provider_page>([&](auto cb) { c.list_page(cursor, cb); });
    ++out.pages;
    out.skipped += page.skipped;
    for (auto& job : page.jobs)
      out.jobs.push_back(std::move(job));
    if (!page.next)
      return out;
    cursor = *page.next;
    BOOST_REQUIRE(out.pages < 100u);
  }
}

provider_page first_page(client& c) {
  return await_value<provider_page>([&](auto cb) { c.list_page("", cb); });
}

provider_snapshot get_job(client& c, const std::string& id) {
  return await_value<provider_snapshot>([&](auto cb) { c.get(id, cb); });
}

failure get_error(client& c, const std::string& id) {
  return await_error<provider_snapshot>([&](auto cb) { c.get(id, cb); });
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
  client client{config()};
  auto listing = walk_all(client);
  BOOST_TEST(listing.jobs.size() == 250u);
  BOOST_TEST(listing.pages == 3u);
  BOOST_TEST(listing.skipped == 0u);
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

BOOST_AUTO_TEST_CASE(single_pages_can_be_walked_by_hand) {
  create_jobs(R"({"count":250,"created_spread_seconds":7200})");
  client client{config()};
  std::string url;
  size_t total = 0;
  size_t pages = 0;
  for (;;) {
    auto page = await_value<provider_page>(
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
  client client{config()};
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
  auto page = first_page(client);
  std::set<std::string> words;
  for (auto& job : page.jobs)
    words.insert(job.provider_status);
  BOOST_TEST(words.size() == 6u);
}

BOOST_AUTO_TEST_CASE(timestamps_of_every_precision_are_kept_verbatim) {
  create_jobs(R"({"count":250,"created_spread_seconds":7200,)"
              R"("status":"succeeded"})");
  client client{config()};
  auto listing = walk_all(client);
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
  client client{cfg};
  auto e
      = await_error<provider_page>([&](auto cb) { client.list_page("", cb); });
  BOOST_TEST(to_string(e.code) == "unauthorized");
  BOOST_TEST(contains(e.detail, "(HTTP 401)"), e.detail);
  BOOST_TEST(contains(e.detail, "authentication token"), e.detail);
  auto v = await_error<std::string>([&](auto cb) { client.validate(cb); });
  BOOST_TEST(to_string(v.code) == "unauthorized");
}

BOOST_AUTO_TEST_CASE(an_unknown_job_is_not_found) {
  client client{config()};
  auto e = get_error(client, "doesnotexist0000000000000a");
  BOOST_TEST(to_string(e.code) == "not_found");
  BOOST_TEST(contains(e.detail, "(HTTP 404)"), e.detail);
  BOOST_TEST(contains(e.detail, "could not be found"), e.detail);
  auto c = await_error<provider_snapshot>(
      [&](auto cb) { client.cancel("doesnotexist0000000000000a", cb); });
  BOOST_TEST(to_string(c.code) == "not_found");
}

BOOST_AUTO_TEST_CASE(a_422_is_a_bad_request) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"status","status":422,"count":1})");
  client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.code) == "bad_request");
  BOOST_TEST(contains(e.detail, "(HTTP 422)"), e.detail);
  // The fault was used up: the next request succeeds.
  BOOST_TEST(get_job(client, id).external_id == id);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_seconds_gives_the_delay) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"status","status":429,"retry_after":7,)"
        R"("retry_after_format":"seconds","count":1})");
  client client{config()};
  auto r = await<provider_snapshot>([&](auto cb) { client.get(id, cb); });
  BOOST_REQUIRE(!r);
  BOOST_TEST(to_string(r.error().code) == "rate_limited");
  BOOST_TEST(contains(r.error().detail, "(HTTP 429)"), r.error().detail);
  BOOST_REQUIRE(r.error().retry_after);
  BOOST_TEST(r.error().retry_after->count() == 7);
  BOOST_TEST(contains(r.error().detail, "retry in 7 s"), r.error().detail);
}

BOOST_AUTO_TEST_CASE(a_429_with_retry_after_as_a_date_gives_the_delay) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"list","kind":"status","status":429,"retry_after":30,)"
        R"("retry_after_format":"date","count":1})");
  client client{config()};
  auto e
      = await_error<provider_page>([&](auto cb) { client.list_page("", cb); });
  BOOST_TEST(to_string(e.code) == "rate_limited");
  BOOST_REQUIRE(e.retry_after);
  // A date has whole seconds and is read against our clock: at most the
  // 30 s asked for plus the rounding.
  BOOST_TEST(e.retry_after->count() <= 31);
  BOOST_TEST(e.retry_after->count() >= 0);
}

BOOST_AUTO_TEST_CASE(a_5xx_is_a_provider_error) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"status","status":503,"count":1})");
  client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.code) == "provider_error");
  BOOST_TEST(contains(e.detail, "(HTTP 503)"), e.detail);
  BOOST_TEST(is_transient(e.code));
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_is_an_unexpected_answer) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"malformed","count":1})");
  client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.code) == "provider_error");
  BOOST_TEST(contains(e.detail, "unexpected answer"), e.detail);
  BOOST_TEST(contains(e.detail, "GET " + base + "/predictions/" + id),
             e.detail);
  fault(R"({"endpoint":"list","kind":"malformed","count":1})");
  auto l
      = await_error<provider_page>([&](auto cb) { client.list_page("", cb); });
  BOOST_TEST(contains(l.detail, "unexpected answer"), l.detail);
}

BOOST_AUTO_TEST_CASE(a_dropped_connection_is_a_network_error) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"drop","count":1})");
  client client{config()};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.code) == "unavailable");
  BOOST_TEST(!contains(e.detail, "(HTTP "), e.detail);
  BOOST_TEST(get_job(client, id).external_id == id);
}

BOOST_AUTO_TEST_CASE(a_slow_answer_hits_the_request_deadline) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  fault(R"({"endpoint":"get","kind":"slow","delay_ms":5000,"count":1})");
  auto cfg = config();
  cfg.request_timeout = 300ms;
  client client{cfg};
  auto e = get_error(client, id);
  BOOST_TEST(to_string(e.code) == "timeout", e.detail);
  BOOST_TEST(!contains(e.detail, "(HTTP "), e.detail);
}

BOOST_AUTO_TEST_CASE(an_unreachable_provider_is_a_network_error) {
  auto cfg = config();
  cfg.api_base_url = "http://127.0.0.1:1/v1";
  client client{cfg};
  auto e = get_error(client, "abc");
  BOOST_TEST(to_string(e.code) == "unavailable");
  BOOST_TEST(contains(e.detail, "could not connect"), e.detail);
}

BOOST_AUTO_TEST_CASE(one_slot_runs_slow_requests_in_submission_order) {
  auto ids = create_jobs(R"({"count":3,"status":"processing"})");
  fault(R"({"endpoint":"get","kind":"slow","delay_ms":200,"count":3})");
  auto cfg = config();
  cfg.max_concurrency = 1;
  client client{cfg};
  std::mutex mtx;
  std::vector<std::string> order;
  std::promise<void> all;
  for (auto& id : ids)
    client.get(id, [&](result<provider_snapshot> r) {
      std::lock_guard<std::mutex> guard{mtx};
      order.push_back(r ? r->external_id : r.error().detail);
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
  client client{config()};
  auto job = get_job(client, id);
  BOOST_TEST(job.external_id == id);
  BOOST_TEST(word(job.status) == "running");
  BOOST_TEST(job.created_at.has_value());
  BOOST_TEST(job.started_at.has_value());
  BOOST_TEST(job.metadata.at("prediction_id") == "\"" + id + "\"");
  BOOST_TEST(job.metadata.count("model") == 1u);
  BOOST_TEST(job.metadata.count("urls") == 1u);
  // The emulator's default model is simpletuner/advanced-trainer-h100.
  BOOST_TEST(job.hardware_type.value_or("") == "H100 (80GB)");
}

BOOST_AUTO_TEST_CASE(cancel_returns_the_cancelled_job) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  client client{config()};
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
  client client{config()};
  auto logs = await_value<provider_log>([&](auto cb) { client.logs(id, cb); });
  BOOST_TEST(contains(logs.text, "marker step 5/10"), logs.text);
  BOOST_TEST(logs.snapshot.external_id == id);
  BOOST_TEST(logs.snapshot.logs.value_or("") == logs.text);
}

BOOST_AUTO_TEST_CASE(the_webhook_secret_is_read) {
  client client{config()};
  auto key
      = await_value<std::string>([&](auto cb) { client.webhook_secret(cb); });
  BOOST_TEST(key.rfind("whsec_", 0) == 0u, key);
}

BOOST_AUTO_TEST_CASE(validate_names_the_account) {
  client client{config()};
  auto name = await_value<std::string>([&](auto cb) { client.validate(cb); });
  BOOST_TEST(!name.empty());
}

BOOST_AUTO_TEST_CASE(rate_limit_headers_reach_the_caller) {
  auto id = create_jobs(R"({"count":1,"status":"processing"})").at(0);
  client client{config()};
  BOOST_TEST(client.rate_limits().documented_per_minute == 3000);
  BOOST_TEST(!client.rate_limits().remaining.has_value());
  auto r = await<provider_snapshot>([&](auto cb) { client.get(id, cb); });
  BOOST_REQUIRE(static_cast<bool>(r));
  auto after_get = client.rate_limits();
  BOOST_TEST(after_get.remaining.has_value());
  BOOST_TEST(after_get.reset_seconds.has_value());
  // Errors carry them too.
  replicate::client other{config()};
  auto missing = await<provider_snapshot>(
      [&](auto cb) { other.get("doesnotexist0000000000000a", cb); });
  BOOST_REQUIRE(!missing);
  BOOST_TEST(other.rate_limits().remaining.has_value());
}

BOOST_AUTO_TEST_CASE(trainings_are_listed_with_their_weights) {
  create_jobs(R"({"count":3,"collection":"trainings","status":"succeeded"})");
  create_jobs(R"({"count":2,"status":"processing"})");
  auto cfg = config();
  cfg.resource = "trainings";
  client client{cfg};
  auto listing = first_page(client);
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
  client client{config()};
  std::promise<result<provider_snapshot>> done;
  client.get(
      id, [&](result<provider_snapshot> r) { done.set_value(std::move(r)); });
  BOOST_REQUIRE(eventually([&] { return request_count("get") == 1; }));
  client.stop();
  auto answer = done.get_future();
  BOOST_REQUIRE(answer.wait_for(0s) == std::future_status::ready);
  auto r = answer.get();
  BOOST_REQUIRE(!r);
  BOOST_TEST(to_string(r.error().code) == "unavailable");
}

BOOST_AUTO_TEST_SUITE_END()
