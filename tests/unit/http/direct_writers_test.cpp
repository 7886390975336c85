#include "http/direct_body.hpp"
#include "http/direct_line.hpp"
#include "http/direct_writers.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/sse_client.hpp"

#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace jobsync::http;
using jobsync::test::chunked_decoder;
using jobsync::test::eventually;
using namespace std::chrono_literals;

namespace {

// A connected pair of stream sockets with small buffers, so that a few
// kilobytes fill them: `server` is what the body writes, `client` reads.
struct socket_pair {
  int server = -1;
  int client = -1;

  socket_pair() {
    int fds[2];
    BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    server = fds[0];
    client = fds[1];
    int small = 4096;
    ::setsockopt(server, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    ::setsockopt(client, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    ::fcntl(client, F_SETFL, ::fcntl(client, F_GETFL) | O_NONBLOCK);
  }

  ~socket_pair() {
    close_client();
    if (server >= 0)
      ::close(server);
  }

  void close_client() {
    if (client >= 0)
      ::close(client);
    client = -1;
  }

  // Everything the client can read now, chunk-decoded into `payload`;
  // false once the server's side is closed or shut down.
  bool read_into(chunked_decoder& decoder, std::string& payload) {
    char buf[65536];
    for (;;) {
      auto n = ::read(client, buf, sizeof(buf));
      if (n == 0)
        return false;
      if (n < 0)
        return true;
      BOOST_REQUIRE(decoder.feed({buf, static_cast<size_t>(n)}, payload));
    }
  }

  // The raw bytes the client can read now.
  std::string read_raw() {
    std::string out;
    char buf[65536];
    for (ssize_t n; (n = ::read(client, buf, sizeof(buf))) > 0;)
      out.append(buf, static_cast<size_t>(n));
    return out;
  }
};

// Distinct, recognisable chunks of `size` bytes.
std::shared_ptr<const std::string> chunk(size_t i, size_t size = 1000) {
  auto text = "[" + std::to_string(i) + "]";
  text.resize(size, static_cast<char>('a' + i % 26));
  return std::make_shared<const std::string>(std::move(text));
}

struct tally_holder {
  int broken = 0;
  write_tally* tally = write_tally::make([this] { ++broken; });
  ~tally_holder() {
    tally->release();
  }
};

// One stream's body on writers of their own, over a socket pair.
struct one_stream {
  socket_pair sockets;
  tally_holder t;
  direct_writers writers;
  std::shared_ptr<direct_body> body;

  one_stream(size_t threads, std::chrono::milliseconds finish_limit)
      : writers(threads, finish_limit, 1h),
        body(writers.open(std::make_shared<direct_line>(sockets.server),
                          t.tally, {})) {}

  // Queues `count` chunks for the body, each counted in the tally first
  // as a stream counts it; returns their payload in order.
  std::string queue_chunks(size_t count) {
    std::string payload;
    for (size_t i = 0; i < count; ++i) {
      auto bytes = chunk(i);
      payload += *bytes;
      t.tally->queued(bytes->size());
      writers.write(body, bytes);
    }
    return payload;
  }
};

} // namespace

BOOST_AUTO_TEST_SUITE(direct_body_suite)

BOOST_AUTO_TEST_CASE(each_write_is_one_chunk_counted_written_once_sent) {
  socket_pair sockets;
  tally_holder t;
  direct_body body{std::make_shared<direct_line>(sockets.server), t.tally, {}};
  for (const char* text : {"hello", "id: 7\ndata: {}\n\n"}) {
    auto bytes = std::make_shared<const std::string>(text);
    t.tally->queued(bytes->size());
    BOOST_TEST(!body.write(bytes));
  }
  BOOST_TEST(sockets.read_raw()
             == "5\r\nhello\r\n10\r\nid: 7\ndata: {}\n\n\r\n");
  BOOST_TEST(t.tally->unflushed() == 0u);
  BOOST_TEST(t.broken == 0);
  BOOST_TEST(body.idle());
}

BOOST_AUTO_TEST_CASE(what_a_full_socket_refuses_waits_and_follows_in_order) {
  socket_pair sockets;
  tally_holder t;
  direct_body body{std::make_shared<direct_line>(sockets.server), t.tally, {}};
  std::string expected;
  size_t i = 0;
  // Write until the socket is full, then some more behind it.
  for (bool left = false; !left; ++i) {
    auto bytes = chunk(i);
    expected += *bytes;
    t.tally->queued(bytes->size());
    left = body.write(bytes);
  }
  std::vector<std::shared_ptr<const std::string>> behind;
  for (size_t more = i + 5; i < more; ++i) {
    behind.push_back(chunk(i));
    expected += *behind.back();
    t.tally->queued(behind.back()->size());
    BOOST_TEST(body.write(behind.back()));
  }
  BOOST_TEST(!body.idle());
  BOOST_TEST(t.tally->unflushed() > 5000u);
  // What waits is the shared buffer itself (one for every subscriber of
  // an event), not a copy per stream.
  for (const auto& b : behind)
    BOOST_TEST(b.use_count() == 2);
  // The reader catches up; the rest goes out as the socket takes it.
  chunked_decoder decoder;
  std::string payload;
  for (int rounds = 0; rounds < 10000 && body.resume(); ++rounds)
    BOOST_REQUIRE(sockets.read_into(decoder, payload));
  BOOST_TEST(body.idle());
  BOOST_REQUIRE(sockets.read_into(decoder, payload));
  BOOST_TEST(payload == expected);
  for (const auto& b : behind)
    BOOST_TEST(b.use_count() == 1);
  BOOST_TEST(t.tally->unflushed() == 0u);
  BOOST_TEST(t.broken == 0);
}

BOOST_AUTO_TEST_CASE(a_closed_peer_fails_what_is_owed_and_reports_once) {
  socket_pair sockets;
  tally_holder t;
  direct_body body{std::make_shared<direct_line>(sockets.server), t.tally, {}};
  // Some bytes wait for a full socket, then the reader goes away.
  for (size_t i = 0; i < 100; ++i) {
    auto bytes = chunk(i);
    t.tally->queued(bytes->size());
    body.write(bytes);
  }
  BOOST_REQUIRE(!body.idle());
  sockets.close_client();
  BOOST_TEST(!body.resume());
  BOOST_TEST(body.broken());
  BOOST_TEST(t.broken == 1);
  BOOST_TEST(t.tally->unflushed() == 0u);
  // Later writes fail at once, without a second report.
  auto bytes = chunk(100);
  t.tally->queued(bytes->size());
  BOOST_TEST(!body.write(bytes));
  BOOST_TEST(t.tally->unflushed() == 0u);
  BOOST_TEST(t.broken == 1);
}

BOOST_AUTO_TEST_CASE(a_detached_line_is_never_written_again) {
  socket_pair sockets;
  tally_holder t;
  auto line = std::make_shared<direct_line>(sockets.server);
  direct_body body{line, t.tally, {}};
  // The socket let go of its descriptor (which another connection may
  // get next): nothing reaches it any more.
  line->detach();
  auto bytes = chunk(0);
  t.tally->queued(bytes->size());
  BOOST_TEST(!body.write(bytes));
  BOOST_TEST(body.broken());
  BOOST_TEST(t.broken == 1);
  BOOST_TEST(sockets.read_raw().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(direct_writers_suite)

BOOST_AUTO_TEST_CASE(a_slow_reader_gets_every_chunk_in_order_then_the_end) {
  one_stream s{2, 20s};
  auto expected = s.queue_chunks(500);
  // The end runs on the writer's thread once every chunk is sent.
  std::atomic<bool> ended{false};
  std::atomic<size_t> unsent_at_end{1};
  s.writers.finish(s.body, [&] {
    unsent_at_end = s.t.tally->unflushed();
    ended = true;
  });
  chunked_decoder decoder;
  std::string payload;
  BOOST_REQUIRE(eventually(
      [&] {
        s.sockets.read_into(decoder, payload);
        return ended.load();
      },
      20s, 1ms));
  s.sockets.read_into(decoder, payload);
  BOOST_TEST(payload == expected);
  BOOST_TEST(unsent_at_end.load() == 0u);
  BOOST_TEST(s.t.broken == 0);
}

BOOST_AUTO_TEST_CASE(a_reader_that_stops_is_shut_down_after_the_finish_limit) {
  one_stream s{1, 200ms};
  s.queue_chunks(100);
  std::atomic<bool> ended{false};
  s.writers.finish(s.body, [&] { ended = true; });
  BOOST_REQUIRE(eventually([&] { return ended.load(); }));
  BOOST_TEST(s.t.broken == 1);
  BOOST_TEST(s.t.tally->unflushed() == 0u);
  // Shut down: the reader finds the end of the stream after what was sent.
  chunked_decoder decoder;
  std::string payload;
  BOOST_TEST(
      eventually([&] { return !s.sockets.read_into(decoder, payload); }));
}

BOOST_AUTO_TEST_CASE(open_bodies_are_kept_open_until_they_finish) {
  socket_pair first_sockets;
  socket_pair second_sockets;
  tally_holder t1;
  tally_holder t2;
  direct_writers writers{1, 20s, 20ms};
  std::atomic<int> first_calls{0};
  std::atomic<int> second_calls{0};
  auto first = writers.open(std::make_shared<direct_line>(first_sockets.server),
                            t1.tally, [&] { ++first_calls; });
  t1.tally->queued(5);
  writers.write(first, std::make_shared<const std::string>("first"));
  BOOST_REQUIRE(eventually([&] { return first_calls.load() >= 2; }));
  std::atomic<bool> ended{false};
  writers.finish(first, [&] { ended = true; });
  BOOST_REQUIRE(eventually([&] { return ended.load(); }));
  auto calls_at_end = first_calls.load();
  // Rounds go on for another body; the finished one is left out of them.
  auto second
      = writers.open(std::make_shared<direct_line>(second_sockets.server),
                     t2.tally, [&] { ++second_calls; });
  t2.tally->queued(6);
  writers.write(second, std::make_shared<const std::string>("second"));
  BOOST_REQUIRE(eventually([&] { return second_calls.load() >= 3; }));
  BOOST_TEST(first_calls.load() == calls_at_end);
}

BOOST_AUTO_TEST_CASE(stopping_fails_what_is_unsent_and_runs_the_ends) {
  one_stream s{1, 1h};
  s.queue_chunks(100);
  std::atomic<int> ends{0};
  s.writers.finish(s.body, [&] { ++ends; });
  s.writers.stop();
  BOOST_TEST(ends.load() == 1);
  BOOST_TEST(s.t.broken == 1);
  BOOST_TEST(s.t.tally->unflushed() == 0u);
  // After the stop a write fails at once and an end runs at once.
  auto later = s.writers.open(std::make_shared<direct_line>(s.sockets.server),
                              s.t.tally, {});
  s.t.tally->queued(5);
  s.writers.write(later, chunk(0, 5));
  BOOST_TEST(s.t.tally->unflushed() == 0u);
  s.writers.finish(later, [&] { ++ends; });
  BOOST_TEST(ends.load() == 2);
}

BOOST_AUTO_TEST_SUITE_END()
