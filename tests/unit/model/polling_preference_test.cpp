#include "model/polling_preference.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

BOOST_AUTO_TEST_SUITE(polling_preference_suite)

BOOST_AUTO_TEST_CASE(a_providers_own_fields_win_over_those_for_all) {
  polling_preferences p;
  p.all = {false, 60};
  BOOST_TEST((p.of("replicate") == polling_preference{false, 60}));
  p.providers["replicate"] = {true, std::nullopt};
  BOOST_TEST((p.of("replicate") == polling_preference{true, 60}));
  BOOST_TEST((p.of("local") == polling_preference{false, 60}));
}

BOOST_AUTO_TEST_CASE(
    a_setting_for_one_provider_keeps_its_interval_unless_given) {
  polling_preferences p;
  p.providers["replicate"] = {false, 45};
  auto on = p.with({"replicate", true, std::nullopt});
  BOOST_TEST((on.providers.at("replicate") == polling_preference{true, 45}));
  auto back = on.with({"replicate", std::nullopt, 10});
  BOOST_TEST(
      (back.providers.at("replicate") == polling_preference{std::nullopt, 10}));
  BOOST_TEST((back.all == polling_preference{}));
  BOOST_TEST(
      (back.changed_keys(on) == std::vector<std::string>{"polling/replicate"}));
}

BOOST_AUTO_TEST_CASE(a_setting_for_all_clears_what_providers_set_themselves) {
  polling_preferences p;
  p.providers["replicate"] = {false, 45};
  p.providers["local"] = {true, std::nullopt};
  auto all = p.with({"", true, std::nullopt});
  BOOST_TEST((all.all == polling_preference{true, std::nullopt}));
  // The intervals stay: the setting named none.
  BOOST_TEST((all.of("replicate") == polling_preference{true, 45}));
  BOOST_TEST((all.of("local") == polling_preference{true, std::nullopt}));
  auto keys = all.changed_keys(p);
  BOOST_TEST((keys
              == std::vector<std::string>{"polling/", "polling/local",
                                          "polling/replicate"}));
  BOOST_TEST((all.at_key("polling/") == all.all));
  BOOST_TEST((all.at_key("polling/replicate")
              == polling_preference{std::nullopt, 45}));
  auto timed = all.with({"", std::nullopt, 20});
  BOOST_TEST((timed.of("replicate") == polling_preference{std::nullopt, 20}));
  BOOST_TEST(timed.changed_keys(timed).empty());
}

BOOST_AUTO_TEST_CASE(records_read_back_and_bad_text_is_refused) {
  for (auto p : {polling_preference{}, polling_preference{true, 30},
                 polling_preference{false, std::nullopt}}) {
    auto back = decode_polling_preference(encode_polling_preference(p));
    BOOST_REQUIRE(back);
    BOOST_TEST((*back == p));
  }
  BOOST_TEST(encode_polling_preference({false, std::nullopt})
             == R"({"enabled":false,"interval_seconds":null})");
  for (auto bad : {"", "[]", "{\"enabled\":1}", "{\"interval_seconds\":0}",
                   "{\"interval_seconds\":\"5\"}", "nul"})
    BOOST_TEST(!decode_polling_preference(bad), bad);
}

BOOST_AUTO_TEST_SUITE_END()
