#include "actors/error.hpp"

#include <caf/atom.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>

namespace jobsync {

caf::atom_value errc_category() {
  return caf::atom("jobsync");
}

caf::error make_error(errc code, std::string detail) {
  return caf::error{static_cast<uint8_t>(code), errc_category(),
                    caf::make_message(std::move(detail))};
}

caf::error to_error(const failure& f) {
  if (!f.retry_after)
    return make_error(f.code, f.detail);
  // The retry-after travels beside the detail, so an HTTP handler can
  // answer with it however many actors the failure passed through.
  return caf::error{static_cast<uint8_t>(f.code), errc_category(),
                    caf::make_message(f.detail, static_cast<int64_t>(
                                                    f.retry_after->count()))};
}

failure from_error(const caf::error& e) {
  if (e.category() == errc_category()) {
    auto code = static_cast<errc>(e.code());
    const auto& context = e.context();
    if (context.match_elements<std::string, int64_t>())
      return {code, context.get_as<std::string>(0),
              std::chrono::seconds{context.get_as<int64_t>(1)}};
    if (context.match_elements<std::string>())
      return {code, context.get_as<std::string>(0)};
    return {code, ""};
  }
  if (e.category() == caf::atom("system")
      && e.code() == static_cast<uint8_t>(caf::sec::request_timeout))
    return {errc::timeout, "the server did not finish the request in time"};
  return {errc::internal, "internal error: " + caf::to_string(e)};
}

} // namespace jobsync
