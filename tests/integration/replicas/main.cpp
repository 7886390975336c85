#define BOOST_TEST_MODULE replicas
#include <boost/test/unit_test.hpp>

#include "tests/support/store_backend.hpp"

// PostgreSQL only (the CTest entry sets TEST_STORE_BACKEND=postgres):
// skipped when its binaries are missing, and the server stops at the end.
using jobsync::test::backend_setup;
BOOST_TEST_GLOBAL_FIXTURE(backend_setup);
