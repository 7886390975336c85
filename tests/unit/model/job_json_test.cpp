#include "model/job_json.hpp"

#include <boost/test/unit_test.hpp>

#include <limits>

using namespace jobsync;

namespace {

job full_job() {
  job x;
  x.job_id = "p1";
  x.provider = "replicate";
  x.status = job_status::completed;
  x.provider_status = "succeeded";
  x.config_name = "cfg";
  x.created_at = "2026-11-01T10:00:00.123456Z";
  x.started_at = "2026-11-01T10:00:10Z";
  x.completed_at = "2026-11-01T10:10:10Z";
  x.cost_usd = 0.583;
  x.hardware_type = "L40S (48GB)";
  x.error_message = std::nullopt;
  x.output_url = "https://replicate.delivery/x.safetensors";
  x.metadata
      = {{"prediction_id", "\"p1\""}, {"urls", "{\"get\":\"https://api/x\"}"}};
  x.external_id = "p1";
  return x;
}

std::string render(const job& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write_job(w, x, 0);
  return buf.GetString();
}

} // namespace

BOOST_AUTO_TEST_SUITE(job_json)

BOOST_AUTO_TEST_CASE(stored_jobs_round_trip) {
  auto x = full_job();
  auto text = stored_job_json(render_job(x), x);
  rapidjson::Document d;
  d.Parse(text.c_str());
  auto back = read_stored_job(d);
  BOOST_REQUIRE(back);
  BOOST_TEST((*back == x));
}

BOOST_AUTO_TEST_CASE(cost_is_written_to_a_millionth_of_a_dollar) {
  auto x = full_job();
  // What 100 s at $0.000972222/s gives in binary floating point.
  x.cost_usd = 0.09722220000000001;
  auto text = render(x);
  BOOST_TEST(text.find("\"cost_usd\":0.097222,") != std::string::npos, text);
  x.cost_usd = 0.1 + 0.2;
  BOOST_TEST(render(x).find("\"cost_usd\":0.3,") != std::string::npos);
  x.cost_usd = 12.0000004;
  BOOST_TEST(render(x).find("\"cost_usd\":12.0,") != std::string::npos);
  // The rendering a list page copies is rounded the same way.
  x.cost_usd = 0.09722220000000001;
  BOOST_TEST(render_job(x).members.find("\"cost_usd\":0.097222,")
             != std::string::npos);
}

// A webhook's predict_time of 1e306 once gave a cost that rounding made
// infinite: the writer left the number out, and the stored job could not
// be read back (nor listed, nor deleted).
BOOST_AUTO_TEST_CASE(a_cost_of_any_size_is_written_and_read_back) {
  for (double cost : {1e303, 1.7e308}) {
    auto x = full_job();
    x.cost_usd = cost;
    rapidjson::Document d;
    BOOST_REQUIRE(!parse_json(d, stored_job_json(render_job(x), x)));
    auto back = read_stored_job(d);
    BOOST_REQUIRE(back);
    BOOST_TEST(back->cost_usd.value_or(0) == cost);
  }
  auto x = full_job();
  x.cost_usd = std::numeric_limits<double>::infinity();
  auto text = render(x);
  BOOST_TEST(text.find("\"cost_usd\":null,") != std::string::npos, text);
  rapidjson::Document d;
  BOOST_REQUIRE(!parse_json(d, stored_job_json(render_job(x), x)));
  auto back = read_stored_job(d);
  BOOST_REQUIRE(back);
  BOOST_TEST(!back->cost_usd.has_value());
}

BOOST_AUTO_TEST_CASE(the_api_object_has_every_field_and_the_derived_ones) {
  rapidjson::Document d;
  d.Parse(render(full_job()).c_str());
  for (auto key :
       {"job_id", "job_type", "provider", "status", "provider_status",
        "config_name", "created_at", "started_at", "completed_at", "cost_usd",
        "hardware_type", "error_message", "output_url", "metadata",
        "is_terminal", "is_active", "duration_seconds", "synced_at", "stale"})
    BOOST_TEST(d.HasMember(key), key);
  BOOST_TEST(!d.HasMember("external_id"));
  BOOST_TEST(d["is_terminal"].GetBool());
  BOOST_TEST(!d["is_active"].GetBool());
  BOOST_TEST(d["duration_seconds"].GetDouble() == 600.0);
  BOOST_TEST(d["error_message"].IsNull());
  BOOST_TEST(std::string{d["metadata"]["urls"]["get"].GetString()}
             == "https://api/x");
  BOOST_TEST(d["synced_at"].IsNull());
  BOOST_TEST(!d["stale"].GetBool());
}

BOOST_AUTO_TEST_CASE(stale_follows_the_last_confirmation_and_the_clock) {
  auto x = full_job();
  x.status = job_status::running;
  x.completed_at = std::nullopt;
  x.synced_at = *parse_rfc3339("2026-11-01T10:00:20Z");
  auto at = [&](const job& j, const char* now, staleness_rule rule) {
    rapidjson::StringBuffer buf;
    json_writer w{buf};
    write_job(w, j, *parse_rfc3339(now), rule);
    rapidjson::Document d;
    d.Parse(buf.GetString());
    BOOST_REQUIRE(!d.HasParseError());
    return std::make_pair(std::string{d["synced_at"].IsString()
                                          ? d["synced_at"].GetString()
                                          : "null"},
                          d["stale"].GetBool());
  };
  staleness_rule minute{60000, *parse_rfc3339("2026-11-01T09:00:00Z")};
  auto [synced, stale] = at(x, "2026-11-01T10:01:20Z", minute);
  BOOST_TEST(synced == "2026-11-01T10:00:20.000Z");
  BOOST_TEST(!stale);
  BOOST_TEST(at(x, "2026-11-01T10:01:20.001Z", minute).second);
  // No rule: never stale.
  BOOST_TEST(!at(x, "2026-11-02T10:00:00Z", staleness_rule{}).second);
  // Never confirmed: counts from the rule's start.
  auto never = x;
  never.synced_at.reset();
  BOOST_TEST(at(never, "2026-11-01T09:01:00Z", minute).first == "null");
  BOOST_TEST(!at(never, "2026-11-01T09:01:00Z", minute).second);
  BOOST_TEST(at(never, "2026-11-01T09:01:00.001Z", minute).second);
  // Never sent to a provider, or finished: never stale.
  auto local = x;
  local.external_id.clear();
  BOOST_TEST(!at(local, "2026-11-02T10:00:00Z", minute).second);
  auto done = x;
  done.status = job_status::failed;
  BOOST_TEST(!at(done, "2026-11-02T10:00:00Z", minute).second);
}

BOOST_AUTO_TEST_CASE(the_duration_of_a_running_job_follows_the_clock) {
  auto x = full_job();
  x.status = job_status::running;
  x.completed_at = std::nullopt;
  auto r = render_job(x);
  auto start = *parse_rfc3339(*x.started_at);
  for (unix_ms now : {start - 5, start + 1500, start + 3600000}) {
    rapidjson::StringBuffer buf;
    json_writer w{buf};
    write_job(w, r, now);
    rapidjson::Document d;
    d.Parse(buf.GetString());
    BOOST_REQUIRE(!d.HasParseError());
    BOOST_TEST(d["is_active"].GetBool());
    BOOST_TEST(!d["is_terminal"].GetBool());
    BOOST_TEST(d["duration_seconds"].GetDouble()
               == std::max<int64_t>(0, now - start) / 1000.0);
  }
}

BOOST_AUTO_TEST_CASE(durations_are_written_as_json_writer_writes_doubles) {
  for (int64_t ms :
       {int64_t{0}, int64_t{1}, int64_t{10}, int64_t{100}, int64_t{999},
        int64_t{1000}, int64_t{1500}, int64_t{12340}, int64_t{1800000},
        int64_t{86399999}, int64_t{31536000123}}) {
    rapidjson::StringBuffer buf;
    json_writer w{buf};
    w.Double(static_cast<double>(ms) / 1000.0);
    std::string ours;
    append_seconds(ours, ms);
    BOOST_TEST(ours == std::string(buf.GetString(), buf.GetSize()), ms);
  }
}

BOOST_AUTO_TEST_CASE(rendered_jobs_nest_in_arrays_like_any_value) {
  auto x = full_job();
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartArray();
  write_job(w, x, 0);
  write_job(w, render_job(x), 0);
  w.EndArray();
  rapidjson::Document d;
  d.Parse(buf.GetString());
  BOOST_REQUIRE(!d.HasParseError());
  BOOST_TEST(d.Size() == 2u);
  BOOST_TEST((d[0] == d[1]));
  BOOST_TEST(std::string{d[1]["job_id"].GetString()} == "p1");
}

BOOST_AUTO_TEST_CASE(bad_stored_records_are_refused) {
  for (
      auto text :
      {"[]", "{}", R"({"job_id":"a","job_type":"cloud"})",
       R"({"job_id":"a","job_type":"x","status":"pending","created_at":"t"})",
       R"({"job_id":"a","job_type":"cloud","status":"nope","created_at":"t"})"}) {
    rapidjson::Document d;
    d.Parse(text);
    BOOST_TEST(!read_stored_job(d), text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
