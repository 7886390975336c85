#include "model/progress.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

namespace {

struct expectation {
  const char* log;
  std::optional<std::string> stage;
  std::optional<double> progress;
};

void check(const expectation& e) {
  auto p = compute_inline_progress(e.log);
  BOOST_TEST((p.stage == e.stage), e.log);
  BOOST_TEST((p.progress == e.progress), e.log);
}

} // namespace

BOOST_AUTO_TEST_SUITE(progress)

// The original's worked examples (lines newest last). One row departs
// from it on purpose (docs/api.md): a tqdm bar's own counts come first, so
// SimpleTuner's `Epoch 3/10, Steps: 45%|...| 450/1000` is 45.0, not the
// epoch's 30.0.
BOOST_AUTO_TEST_CASE(the_worked_examples_of_the_original_hold) {
  expectation rows[] = {
      {"Step 1500/5000 - loss: 0.0234", "Training", 30.0},
      {"Epoch 3/10, Steps:  45%|####5 | 450/1000 [...]", "Training", 45.0},
      {"epoch 1/3 step 100/500", "Training", 20.0},
      {"step 7 / 9", "Training", 77.8},
      {"step 150/100", "Training", 150.0},
      {"step 5/0", "Training", std::nullopt},
      {"step 12 of 100", "Training", std::nullopt},
      {"Loading checkpoint shards", "Preprocessing", std::nullopt},
      {"Uploading model to hub", "Preprocessing", std::nullopt},
      {"Downloading weights", "Preprocessing", std::nullopt},
      {"lr_warmup_steps=100", "Warmup", std::nullopt},
      {"Saving checkpoint at step 500/1000", "Saving checkpoint", std::nullopt},
      {"Running validation at step 100/1000", "Validation", std::nullopt},
      {"loading data\nstep 10/100 done\nsteps: 3", "Training", 10.0},
      {"loading data\nsteps: 3", "Preprocessing", std::nullopt},
      {"nothing here", "Training", std::nullopt},
  };
  for (const auto& row : rows)
    check(row);
}

BOOST_AUTO_TEST_CASE(rules_apply_in_precedence_order_on_one_line) {
  check({"preprocessing during warmup", "Preprocessing", std::nullopt});
  check({"warmup before checkpoint", "Warmup", std::nullopt});
  check({"checkpoint after validation", "Saving checkpoint", std::nullopt});
  check({"validating step 3/4", "Validation", std::nullopt});
  check({"Warming up the GPU", "Warmup", std::nullopt});
}

BOOST_AUTO_TEST_CASE(the_newest_deciding_line_wins) {
  check({"Saving checkpoint\nStep 5/10", "Training", 50.0});
  check({"Step 5/10\nSaving checkpoint", "Saving checkpoint", std::nullopt});
  check({"Step 5/10\nloss went down", "Training", 50.0});
}

BOOST_AUTO_TEST_CASE(only_the_last_fifty_lines_are_scanned) {
  std::string log = "Step 1/2\n";
  for (int i = 0; i < 50; ++i)
    log += "noise\n";
  check({log.c_str(), "Training", std::nullopt});
  std::string near = "Step 1/2\n";
  for (int i = 0; i < 49; ++i)
    near += "noise\n";
  check({near.c_str(), "Training", 50.0});
}

BOOST_AUTO_TEST_CASE(a_tqdm_bar_is_read_by_its_own_counts_first) {
  check({"Epoch 3/10, Steps:  45%|####5     | 450/1000 [01:52<02:17, "
         "4.00it/s, lr=0.0001, step_loss=0.0651]",
         "Training", 45.0});
  // Its counts win over step and epoch words anywhere on the line.
  check({"Epoch 2/4 step 7/9 Steps: 50%|#####     | 5/10 [00:01<00:01]",
         "Training", 50.0});
  check({"Steps:   0%|          | 0/1000 [00:00<?, ?it/s]", "Training", 0.0});
  // Scaled counts are not counts: the words decide.
  check({"Epoch 1/4, Steps: 45%|####5     | 4.50k/10.0k [01:52<02:17]",
         "Training", 25.0});
  check({"Epoch 1/4, Steps: 45%|####5     | 450M/1000M [01:52<02:17]",
         "Training", 25.0});
  // A bar with no total, and a bar on a line of another stage.
  check({"Epoch 1/2, Steps: 450it [01:52, 4.00it/s]", "Training", 50.0});
  check({"Caching latents: 100%|##########| 50/50", "Training", std::nullopt});
  check({"Saving checkpoint: 100%|##########| 3/3", "Saving checkpoint",
         std::nullopt});
}

BOOST_AUTO_TEST_CASE(a_steady_bar_never_runs_backwards) {
  // SimpleTuner's bar across an epoch boundary, one redraw per line: the
  // epoch rule would give 20, 20, 30, 30 while the bar goes 19, 20, 21, 22.
  const char* lines[] = {
      "Epoch 2/10, Steps:  19%|#9        | 190/1000 [00:47<03:22]",
      "Epoch 2/10, Steps:  20%|##        | 200/1000 [00:50<03:20]",
      "Epoch 3/10, Steps:  21%|##1       | 210/1000 [00:52<03:17]",
      "Epoch 3/10, Steps:  22%|##2       | 220/1000 [00:55<03:15]",
  };
  std::string log;
  double previous = 0;
  for (auto line : lines) {
    log += line;
    log += '\r';
    auto p = compute_inline_progress(log);
    BOOST_REQUIRE(p.progress);
    BOOST_TEST(*p.progress >= previous, line);
    previous = *p.progress;
  }
  BOOST_TEST(previous == 22.0);
}

BOOST_AUTO_TEST_CASE(tqdm_redraws_after_carriage_returns_count_as_lines) {
  check({"Epoch 1/4: 10%|#  | 10/100\rEpoch 2/4: 20%|## | 20/100", "Training",
         20.0});
  auto p = compute_inline_progress("Epoch 1/4 a\rEpoch 2/4 b\r");
  BOOST_TEST(*p.last_log == "Epoch 2/4 b");
}

BOOST_AUTO_TEST_CASE(mixed_case_is_matched) {
  check({"STEP 3/4", "Training", 75.0});
  check({"VaLiDaTiOn loss", "Validation", std::nullopt});
  check({"EPOCH 1/8", "Training", 12.5});
}

BOOST_AUTO_TEST_CASE(numbers_need_a_separator_and_the_word_first) {
  check({"step 34", "Training", std::nullopt});
  check({"step5/10", "Training", std::nullopt});
  check({"step 5/", "Training", std::nullopt});
  check({"substep 1/4", "Training", 25.0}); // the original matches substrings
  check({"step   2 // 8", "Training", 25.0});
  check({"epoch 2 4", "Training", 50.0});
}

BOOST_AUTO_TEST_CASE(a_step_line_without_numbers_lets_older_lines_decide) {
  check({"Warmup\nstep: ?", "Warmup", std::nullopt});
  check({"epoch 1/2\nsteps: 3", "Training", 50.0});
}

BOOST_AUTO_TEST_CASE(progress_rounds_to_one_decimal_like_python) {
  check({"step 1/3", "Training", 33.3});
  check({"step 2/3", "Training", 66.7});
  check({"step 1/8", "Training", 12.5});
  check({"step 1/7", "Training", 14.3});
  BOOST_TEST(round_one_decimal(0.25) == 0.2); // exact tie, to even
  BOOST_TEST(round_one_decimal(0.75) == 0.8);
  BOOST_TEST(round_one_decimal(2.675) == 2.7); // binary value is above .675
}

BOOST_AUTO_TEST_CASE(progress_above_one_hundred_is_kept) {
  check({"step 300/100", "Training", 300.0});
}

BOOST_AUTO_TEST_CASE(empty_logs_give_nothing) {
  for (auto log : {"", "\n\n", "   \r\n  "}) {
    auto p = compute_inline_progress(log);
    BOOST_TEST(!p.stage);
    BOOST_TEST(!p.last_log);
    BOOST_TEST(!p.progress);
  }
}

BOOST_AUTO_TEST_CASE(last_log_is_the_last_non_empty_line_trimmed) {
  auto p
      = compute_inline_progress("first\n  Step 1500/5000 - loss: 0.0234  \n\n");
  BOOST_TEST(*p.last_log == "Step 1500/5000 - loss: 0.0234");
}

BOOST_AUTO_TEST_CASE(truncation_counts_characters_not_bytes) {
  std::string ascii(80, 'a');
  BOOST_TEST(truncate_chars(ascii) == ascii);
  std::string long_ascii(81, 'a');
  BOOST_TEST(truncate_chars(long_ascii) == std::string(77, 'a') + "...");
  // 80 two-byte characters fit; 81 are cut to 77 characters plus "...".
  std::string e_acute;
  for (int i = 0; i < 80; ++i)
    e_acute += "\xC3\xA9";
  BOOST_TEST(truncate_chars(e_acute) == e_acute);
  std::string longer = e_acute + "\xC3\xA9";
  std::string expected;
  for (int i = 0; i < 77; ++i)
    expected += "\xC3\xA9";
  BOOST_TEST(truncate_chars(longer) == expected + "...");
  // Four-byte characters (emoji) are never split.
  std::string emoji;
  for (int i = 0; i < 100; ++i)
    emoji += "\xF0\x9F\x9A\x80";
  auto cut = truncate_chars(emoji);
  BOOST_TEST(cut.size() == 77u * 4 + 3);
}

BOOST_AUTO_TEST_SUITE_END()
