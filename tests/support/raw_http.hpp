#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace jobsync::test {

/// Sends `bytes` as they are over a new loopback connection while reading,
/// and returns everything the server sent until it closed the connection
/// (or `timeout` passed). For requests no HTTP client would send.
std::string raw_exchange(uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout
                         = std::chrono::seconds(30));

} // namespace jobsync::test
