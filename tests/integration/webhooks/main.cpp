#define BOOST_TEST_MODULE webhooks
#include <boost/test/unit_test.hpp>
