#pragma once

// Small pieces the load clients of bench/ share: non-blocking loopback
// sockets, the clock they time with, the file limit, percentiles, and a
// reader of HTTP/1.1 response heads. Plain POSIX, no HTTP library: the
// clients must add as little work as possible beside the server they load.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jobsync::bench {

/// Microseconds on the monotonic clock.
int64_t now_us();

/// Raises the soft limit of open files to `wanted` (at most the hard
/// limit); returns the limit now in force.
uint64_t raise_file_limit(uint64_t wanted);

/// Starts a non-blocking TCP connect to `host:port`, from `source` (an
/// address such as 127.0.0.7, any port) when it is not empty. Returns the
/// socket, or -1 with errno set.
int connect_nonblocking(const std::string& host, uint16_t port,
                        const std::string& source = {});

/// Writes all of `bytes` to a blocking-or-not socket, waiting with poll()
/// when it would block; false on error.
bool write_all(int fd, std::string_view bytes);

/// The value at quantile q (0..1) of `values`, which it sorts.
double percentile(std::vector<double>& values, double q);

/// The parts of an HTTP/1.1 response head a load client needs.
struct response_head {
  int status = 0;
  /// Bytes of the head, through the blank line.
  size_t head_bytes = 0;
  /// Content-Length, when the response has one.
  std::optional<size_t> content_length;
};

/// Parses the head at the start of `buffer`; nullopt until the blank line
/// that ends it has arrived.
std::optional<response_head> parse_response_head(std::string_view buffer);

} // namespace jobsync::bench
