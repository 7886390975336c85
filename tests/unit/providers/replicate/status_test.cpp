#include "providers/replicate/status.hpp"

#include <boost/test/unit_test.hpp>

using namespace jobsync;
using namespace jobsync::providers::replicate;

BOOST_AUTO_TEST_SUITE(replicate_status)

BOOST_AUTO_TEST_CASE(replicate_words_map_as_the_api_table_says) {
  BOOST_TEST((map_status("starting") == job_status::queued));
  BOOST_TEST((map_status("processing") == job_status::running));
  BOOST_TEST((map_status("succeeded") == job_status::completed));
  BOOST_TEST((map_status("failed") == job_status::failed));
  BOOST_TEST((map_status("canceled") == job_status::cancelled));
  BOOST_TEST((map_status("aborted") == job_status::cancelled));
}

BOOST_AUTO_TEST_CASE(unknown_replicate_words_map_to_nothing) {
  for (auto word :
       {"", "queued", "Starting", "cancelled", "error", "pending", "booting"})
    BOOST_TEST(!map_status(word), word);
}

BOOST_AUTO_TEST_SUITE_END()
