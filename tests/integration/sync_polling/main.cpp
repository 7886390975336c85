#define BOOST_TEST_MODULE sync_polling
#include <boost/test/unit_test.hpp>
