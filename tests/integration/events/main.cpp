#define BOOST_TEST_MODULE integration_events
#include <boost/test/unit_test.hpp>
