#include "tools/replicate-sim/dispatcher.hpp"

#include "logging/log.hpp"

#include <exception>

namespace jobsync::sim {

namespace {

bool under(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix
         && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

} // namespace

dispatcher::dispatcher(replicate_api& api, admin_api& admin, bool verbose)
    : api_(api), admin_(admin), verbose_(verbose) {}

http_reply dispatcher::route(const http_request& request) {
  if (under(request.path, "/v1"))
    return api_.handle(request);
  if (under(request.path, "/_admin"))
    return admin_.handle(request);
  return problem_reply(404, "", "The requested resource could not be found.");
}

http_reply dispatcher::handle(const http_request& request) noexcept {
  http_reply reply;
  try {
    reply = route(request);
  } catch (const std::exception& e) {
    log::error("http", "{} {}: {}", request.method, request.path, e.what());
    reply = problem_reply(500, "Internal Server Error", e.what());
  } catch (...) {
    reply = problem_reply(500, "Internal Server Error", "unknown error");
  }
  if (verbose_)
    log::info("http", "{} {}{}{} -> {}{}", request.method, request.path,
              request.query.empty() ? "" : "?", request.query,
              reply.drop ? 0 : reply.status, reply.drop ? " (dropped)" : "");
  return reply;
}

} // namespace jobsync::sim
