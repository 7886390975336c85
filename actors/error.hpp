#pragma once

#include "model/errc.hpp"
#include "model/result.hpp"

#include <caf/error.hpp>

#include <string>

namespace jobsync {

/// The CAF error category of jobsync's errc.
caf::atom_value errc_category();

/// Wraps an errc and its detail sentence into a caf::error.
caf::error make_error(errc code, std::string detail);

/// Wraps a model failure (with its retry-after, if any) into a caf::error.
caf::error to_error(const failure& f);

/// Recovers code, detail and retry-after from any caf::error: jobsync
/// errors keep theirs, CAF's request timeout becomes `timeout`, anything
/// else `internal`.
failure from_error(const caf::error& e);

} // namespace jobsync
