#include "actors/request_gate.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

using clock = request_gate::clock;

const clock::time_point t0 = clock::time_point{} + 1h;

} // namespace

BOOST_AUTO_TEST_SUITE(request_gate_suite)

BOOST_AUTO_TEST_CASE(a_burst_of_ten_seconds_worth_goes_out_at_once) {
  request_gate gate{60, t0};
  for (int i = 0; i < 10; ++i) {
    BOOST_TEST((gate.delay(t0) == clock::duration::zero()), i);
    gate.spend(t0);
  }
  // The eleventh waits for one token: a second at 60 a minute.
  auto wait = gate.delay(t0);
  BOOST_TEST((wait > 999ms && wait <= 1s));
  BOOST_TEST((gate.delay(t0 + 1s) == clock::duration::zero()));
}

BOOST_AUTO_TEST_CASE(tokens_refill_at_the_rate_up_to_the_burst) {
  request_gate gate{600, t0};
  for (int i = 0; i < 100; ++i)
    gate.spend(t0);
  BOOST_TEST((gate.delay(t0) > clock::duration::zero()));
  // 10 a second: after a minute the bucket is full again, not fuller.
  auto later = t0 + 60s;
  for (int i = 0; i < 100; ++i) {
    BOOST_TEST((gate.delay(later) == clock::duration::zero()), i);
    gate.spend(later);
  }
  BOOST_TEST((gate.delay(later) > clock::duration::zero()));
}

BOOST_AUTO_TEST_CASE(retry_after_closes_the_gate_until_it_has_passed) {
  request_gate gate{6000, t0};
  gate.block_until(t0 + 30s);
  BOOST_TEST((gate.delay(t0) == 30s));
  BOOST_TEST((gate.blocked_until(t0) == t0 + 30s));
  // An earlier Retry-After does not shorten a later one.
  gate.block_until(t0 + 10s);
  BOOST_TEST((gate.delay(t0 + 20s) == 10s));
  BOOST_TEST((gate.delay(t0 + 30s) == clock::duration::zero()));
  BOOST_TEST(!gate.blocked_until(t0 + 30s));
}

BOOST_AUTO_TEST_CASE(backoff_doubles_with_jitter_up_to_the_maximum) {
  std::mt19937 rng{7};
  BOOST_TEST(backoff_delay(0, 1000ms, 8000ms, rng).count() == 0);
  for (int round = 0; round < 50; ++round) {
    for (uint32_t attempt = 1; attempt <= 6; ++attempt) {
      auto full = std::min<int64_t>(1000 << (attempt - 1), 8000);
      auto d = backoff_delay(attempt, 1000ms, 8000ms, rng).count();
      BOOST_TEST(d >= full / 2, attempt);
      BOOST_TEST(d <= full, attempt);
    }
  }
  // Very many attempts do not overflow.
  BOOST_TEST(backoff_delay(1000, 1000ms, 8000ms, rng).count() <= 8000);
}

BOOST_AUTO_TEST_SUITE_END()
