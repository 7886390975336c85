#include "model/event_frame.hpp"

#include <boost/test/unit_test.hpp>

#include <rapidjson/document.h>

using namespace jobsync;

namespace {

job_changed change(uint64_t id, std::string job, job_status status,
                   std::optional<job_status> previous) {
  job_changed e;
  e.event_id = id;
  e.job_id = std::move(job);
  e.provider = "replicate";
  e.status = status;
  e.previous = previous;
  return e;
}

} // namespace

BOOST_AUTO_TEST_SUITE(event_frame_suite)

BOOST_AUTO_TEST_CASE(
    a_discovery_is_an_unnamed_event_with_a_null_previous_status) {
  auto frame = event_frame(change(7, "abc", job_status::queued, std::nullopt));
  BOOST_TEST(frame
             == "id: 7\ndata: {\"type\":\"job_status_changed\",\"job_id\":"
                "\"abc\",\"status\":\"queued\",\"previous_status\":null,"
                "\"provider\":\"replicate\"}\n\n");
}

BOOST_AUTO_TEST_CASE(a_change_carries_stage_and_progress_when_known) {
  auto e = change(12, "abc", job_status::running, job_status::queued);
  e.stage = "Training";
  e.progress = 30.0;
  BOOST_TEST(event_json(e)
             == "{\"type\":\"job_status_changed\",\"job_id\":\"abc\","
                "\"status\":\"running\",\"previous_status\":\"queued\","
                "\"provider\":\"replicate\",\"stage\":\"Training\","
                "\"progress\":30.0}");
}

BOOST_AUTO_TEST_CASE(
    an_unknown_provider_is_null_and_unknown_progress_is_left_out) {
  auto e = change(1, "local-1", job_status::completed, job_status::running);
  e.provider.reset();
  auto json = event_json(e);
  BOOST_TEST(json.find("\"provider\":null") != std::string::npos);
  BOOST_TEST(json.find("stage") == std::string::npos);
  BOOST_TEST(json.find("progress") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(line_breaks_in_values_never_split_the_data_line) {
  auto e = change(3, "a\nb\r\"c\"", job_status::failed, job_status::running);
  e.stage = "x\ny";
  auto frame = event_frame(e);
  // Exactly two lines and the blank line: id and data.
  BOOST_TEST(std::count(frame.begin(), frame.end(), '\n') == 3);
  BOOST_TEST(frame.find('\r') == std::string::npos);
  auto data = frame.substr(frame.find("data: ") + 6);
  data.resize(data.size() - 2);
  rapidjson::Document d;
  d.Parse(data.c_str());
  BOOST_REQUIRE(!d.HasParseError());
  BOOST_TEST(std::string{d["job_id"].GetString()} == "a\nb\r\"c\"");
}

BOOST_AUTO_TEST_CASE(every_status_word_is_the_api_word) {
  for (auto s : all_statuses) {
    auto json = event_json(change(1, "j", s, job_status::pending));
    BOOST_TEST(json.find("\"status\":\"" + std::string{to_string(s)} + "\"")
               != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(the_other_frames_are_exact) {
  BOOST_TEST(resync_frame(42)
             == "id: 42\ndata: {\"type\":\"resync_required\"}\n\n");
  BOOST_TEST(connect_frame(std::chrono::milliseconds(3000), std::nullopt)
             == "retry: 3000\n\n");
  BOOST_TEST(connect_frame(std::chrono::milliseconds(100), uint64_t{9})
             == "retry: 100\nid: 9\n\n");
  BOOST_TEST(keepalive_frame() == ": keepalive\n\n");
}

BOOST_AUTO_TEST_CASE(event_ids_are_plain_decimal_numbers) {
  BOOST_TEST((parse_event_id("0") == std::optional<uint64_t>{0}));
  BOOST_TEST((parse_event_id("1234") == std::optional<uint64_t>{1234}));
  BOOST_TEST((parse_event_id("18446744073709551615")
              == std::optional<uint64_t>{18446744073709551615ull}));
  for (std::string_view bad : {"", "-1", "+1", " 1", "1 ", "1.0", "0x10", "abc",
                               "18446744073709551616", "99999999999999999999",
                               "000000000000000000001"})
    BOOST_TEST(!parse_event_id(bad), bad);
}

BOOST_AUTO_TEST_SUITE_END()
