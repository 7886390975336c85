#define BOOST_TEST_MODULE replicate_client
#include <boost/test/unit_test.hpp>
