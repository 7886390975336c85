#include "model/missing.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

const unix_ms t0 = *parse_rfc3339("2026-11-01T10:00:00Z");

job running() {
  job x;
  x.job_id = "j";
  x.external_id = "j";
  x.provider = "replicate";
  x.status = job_status::running;
  x.created_at = "2026-11-01T09:00:00Z";
  return x;
}

} // namespace

BOOST_AUTO_TEST_SUITE(missing_jobs_suite)

BOOST_AUTO_TEST_CASE(the_first_404_is_noted_and_kept) {
  auto x = running();
  BOOST_TEST(!not_found_since(x));
  BOOST_TEST(note_not_found(x, t0));
  BOOST_TEST((not_found_since(x) == std::optional<unix_ms>{t0}));
  BOOST_TEST(x.metadata.at("provider_not_found_since")
             == R"("2026-11-01T10:00:00.000Z")");
  // A later 404 does not move the start of the run.
  BOOST_TEST(!note_not_found(x, t0 + 60000));
  BOOST_TEST((not_found_since(x) == std::optional<unix_ms>{t0}));
  BOOST_TEST(clear_not_found(x));
  BOOST_TEST(!clear_not_found(x));
  BOOST_TEST(!not_found_since(x));
}

BOOST_AUTO_TEST_CASE(a_job_is_lost_once_unknown_for_lost_after) {
  auto x = running();
  note_not_found(x, t0);
  BOOST_TEST(!is_lost(x, t0 + 3599999, 3600s));
  BOOST_TEST(is_lost(x, t0 + 3600000, 3600s));
  // Zero means never; a finished job is never lost; a job without a note
  // neither.
  BOOST_TEST(!is_lost(x, t0 + 999999999, 0s));
  auto done = x;
  done.status = job_status::completed;
  BOOST_TEST(!is_lost(done, t0 + 3600000, 3600s));
  BOOST_TEST(!is_lost(running(), t0 + 3600000, 3600s));
}

BOOST_AUTO_TEST_CASE(a_lost_job_is_failed_and_says_since_when) {
  auto x = running();
  note_not_found(x, t0);
  declare_lost(x, t0 + 3600000, "Replicate");
  BOOST_TEST((x.status == job_status::failed));
  BOOST_TEST(x.provider_status.value_or("") == "not_found");
  BOOST_TEST(x.error_message.value_or("")
             == "Lost: Replicate has not known this job since "
                "2026-11-01T10:00:00.000Z");
  BOOST_TEST(x.completed_at.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
