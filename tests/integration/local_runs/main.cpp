#define BOOST_TEST_MODULE local_runs
#include <boost/test/unit_test.hpp>
