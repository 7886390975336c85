#define BOOST_TEST_MODULE replicate_sim
#include <boost/test/unit_test.hpp>
