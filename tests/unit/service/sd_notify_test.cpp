#define BOOST_TEST_MODULE service
#include "service/sd_notify.hpp"

#include "tests/support/child_process.hpp"
#include "tests/support/notify_socket.hpp"

#include <boost/test/unit_test.hpp>

#include <map>
#include <unistd.h>

using namespace jobsync;
using namespace std::chrono_literals;

namespace {

service::notifier from(std::map<std::string, std::string> env) {
  return service::notifier::from_environment(
      [&](const char* name) -> std::optional<std::string> {
        auto i = env.find(name);
        if (i == env.end())
          return std::nullopt;
        return i->second;
      });
}

} // namespace

BOOST_AUTO_TEST_SUITE(notifier_suite)

BOOST_AUTO_TEST_CASE(without_notify_socket_nothing_is_sent) {
  auto n = from({});
  BOOST_TEST(!n.enabled());
  BOOST_TEST(!n.send("READY=1"));
  BOOST_TEST(!n.watchdog_timeout());
}

BOOST_AUTO_TEST_CASE(messages_reach_the_socket_as_sent) {
  test::temp_dir dir;
  test::notify_socket sock{dir.path() + "/notify"};
  auto n = from({{"NOTIFY_SOCKET", sock.path()}});
  BOOST_REQUIRE(n.enabled());
  BOOST_TEST(n.send("READY=1\nSTATUS=Serving"));
  BOOST_TEST(sock.receive(5s).value_or("") == "READY=1\nSTATUS=Serving");
}

BOOST_AUTO_TEST_CASE(relative_socket_paths_are_ignored) {
  BOOST_TEST(!from({{"NOTIFY_SOCKET", "notify"}}).enabled());
  BOOST_TEST(!from({{"NOTIFY_SOCKET", ""}}).enabled());
}

BOOST_AUTO_TEST_CASE(the_watchdog_is_for_this_process_only) {
  auto mine = std::to_string(getpid());
  auto n = from({{"NOTIFY_SOCKET", "/run/x"},
                 {"WATCHDOG_USEC", "30000000"},
                 {"WATCHDOG_PID", mine}});
  BOOST_REQUIRE(n.watchdog_timeout());
  BOOST_TEST(n.watchdog_timeout()->count() == 30000000);
  // No WATCHDOG_PID: meant for whoever reads it.
  BOOST_TEST(from({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "5000000"}})
                 .watchdog_timeout()
                 .has_value());
  // Another process's watchdog, zero, or garbage: no pings.
  BOOST_TEST(!from({{"NOTIFY_SOCKET", "/run/x"},
                    {"WATCHDOG_USEC", "30000000"},
                    {"WATCHDOG_PID", std::to_string(getpid() + 1)}})
                  .watchdog_timeout());
  BOOST_TEST(!from({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "0"}})
                  .watchdog_timeout());
  BOOST_TEST(!from({{"NOTIFY_SOCKET", "/run/x"}, {"WATCHDOG_USEC", "12x"}})
                  .watchdog_timeout());
}

BOOST_AUTO_TEST_SUITE_END()
