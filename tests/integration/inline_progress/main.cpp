#define BOOST_TEST_MODULE inline_progress
#include <boost/test/unit_test.hpp>
