#include "model/health.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;

namespace {

poller_status poller_in(const std::string& circuit, uint32_t failures = 0) {
  poller_status s;
  s.provider = "replicate";
  s.circuit = circuit;
  s.consecutive_failures = failures;
  return s;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

BOOST_AUTO_TEST_SUITE(health)

BOOST_AUTO_TEST_CASE(the_overall_status_is_the_worst_component) {
  health_report r;
  BOOST_TEST((overall_status(r) == health_status::healthy));
  r.components.push_back({"a", health_status::healthy, "", {}});
  BOOST_TEST((overall_status(r) == health_status::healthy));
  r.components.push_back({"b", health_status::degraded, "", {}});
  BOOST_TEST((overall_status(r) == health_status::degraded));
  r.components.push_back({"c", health_status::unhealthy, "", {}});
  r.components.push_back({"d", health_status::healthy, "", {}});
  BOOST_TEST((overall_status(r) == health_status::unhealthy));
  BOOST_TEST(to_string(health_status::healthy) == "healthy");
  BOOST_TEST(to_string(health_status::degraded) == "degraded");
  BOOST_TEST(to_string(health_status::unhealthy) == "unhealthy");
}

BOOST_AUTO_TEST_CASE(a_store_that_cannot_take_writes_is_unhealthy) {
  auto ok = store_health(registry_health{}, 0.5);
  BOOST_TEST(ok.name == "database");
  BOOST_TEST((ok.status == health_status::healthy));
  BOOST_TEST(*ok.latency_ms == 0.5);
  registry_health full;
  full.writable = false;
  full.reason = "the LMDB map is full";
  auto bad = store_health(full, 2.0);
  BOOST_TEST((bad.status == health_status::unhealthy));
  BOOST_TEST(has(bad.message, "the LMDB map is full"), bad.message);
  auto silent = store_health(failure{errc::timeout, "no answer"}, 3.0);
  BOOST_TEST((silent.status == health_status::unhealthy));
  BOOST_TEST(has(silent.message, "no answer"), silent.message);
}

BOOST_AUTO_TEST_CASE(a_provider_without_a_token_is_degraded_and_says_why) {
  auto ok = token_health("replicate", "");
  BOOST_TEST(ok.name == "secrets_replicate");
  BOOST_TEST((ok.status == health_status::healthy));
  BOOST_TEST(!ok.latency_ms);
  auto missing
      = token_health("replicate", "jobsync has no API token for Replicate: set "
                                  "providers.replicate.api_token");
  BOOST_TEST((missing.status == health_status::degraded));
  BOOST_TEST(has(missing.message, "providers.replicate.api_token"));
}

BOOST_AUTO_TEST_CASE(only_a_closed_circuit_is_healthy) {
  auto closed = circuit_health(poller_in("closed"));
  BOOST_TEST(closed.name == "circuit_breaker_replicate");
  BOOST_TEST((closed.status == health_status::healthy));
  auto half = circuit_health(poller_in("half_open", 5));
  BOOST_TEST((half.status == health_status::degraded));
  BOOST_TEST(has(half.message, "half-open"), half.message);
  auto open = circuit_health(poller_in("open", 7));
  BOOST_TEST((open.status == health_status::degraded));
  BOOST_TEST(has(open.message, "failures: 7"), open.message);
  auto waiting = poller_in("closed");
  waiting.retry_after_until = 1'796'000'000'000;
  auto held = circuit_health(waiting);
  BOOST_TEST((held.status == health_status::degraded));
  BOOST_TEST(has(held.message, "held back until 2026-"), held.message);
  auto gone = circuit_health("replicate", failure{errc::internal, "down"});
  BOOST_TEST(gone.name == "circuit_breaker_replicate");
  BOOST_TEST((gone.status == health_status::degraded));
  BOOST_TEST(has(gone.message, "down"));
}

BOOST_AUTO_TEST_CASE(the_provider_api_is_healthy_only_when_it_takes_the_token) {
  auto ok = api_health("replicate", validation{true, "sim-user", ""}, 12.5);
  BOOST_TEST(ok.name == "replicate_api");
  BOOST_TEST((ok.status == health_status::healthy));
  BOOST_TEST(has(ok.message, "sim-user"));
  BOOST_TEST(*ok.latency_ms == 12.5);
  auto refused = api_health("replicate", validation{false, "", "401"}, 1.0);
  BOOST_TEST((refused.status == health_status::degraded));
  auto failed
      = api_health("replicate", failure{errc::provider_error, "HTTP 503"}, 1.0);
  BOOST_TEST((failed.status == health_status::degraded));
  BOOST_TEST(has(failed.message, "HTTP 503"));
}

BOOST_AUTO_TEST_SUITE_END()
