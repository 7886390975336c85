#pragma once

#include "http/exchange.hpp"
#include "model/json.hpp"

#include <utility>

namespace jobsync::http {

/// Builds a JSON response by letting `write` fill one writer.
template <class Write>
response json_response(Write write, int status = 200) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write(w);
  response r;
  r.status = status;
  r.body.assign(buf.GetString(), buf.GetSize());
  return r;
}

} // namespace jobsync::http
