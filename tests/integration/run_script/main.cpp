#define BOOST_TEST_MODULE run_script
#include <boost/test/unit_test.hpp>
