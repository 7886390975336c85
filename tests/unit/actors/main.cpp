#define BOOST_TEST_MODULE actors
#include <boost/test/unit_test.hpp>

#include "tests/support/store_backend.hpp"

// On LMDB, or on PostgreSQL (TEST_STORE_BACKEND=postgres).
using jobsync::test::backend_setup;
BOOST_TEST_GLOBAL_FIXTURE(backend_setup);
