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
  return make_error(f.code, f.detail);
}

failure from_error(const caf::error& e) {
  if (e.category() == errc_category()) {
    std::string detail;
    if (e.context().match_elements<std::string>())
      detail = e.context().get_as<std::string>(0);
    return {static_cast<errc>(e.code()), std::move(detail)};
  }
  if (e.category() == caf::atom("system")
      && e.code() == static_cast<uint8_t>(caf::sec::request_timeout))
    return {errc::timeout, "the server did not finish the request in time"};
  return {errc::internal, "internal error: " + caf::to_string(e)};
}

} // namespace jobsync
